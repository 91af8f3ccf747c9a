// The part of the simulator the CLI loads up front: the flag table's help text, for `tandem help sim`
// (commander asks for help text synchronously, before the simulator itself is imported).

export { simHelp } from './flags.js';
