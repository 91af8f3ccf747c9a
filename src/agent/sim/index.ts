// Simulated nodes (`tandem sim`): the public surface of src/agent/sim.

export { startSimFleet, type SimFleet, type SimFleetStats } from './fleet.js';
export { parseSimArgs, parseTaints, type SimArgs } from './args.js';
export { resolveSimOptions, DEFAULT_WINDOWS_BUILD, type SimFleetOptions, type SimStagesOptions } from './options.js';
export {
  defaultStages, matchStage, podFacts, stageDelayMs, ANNOTATION_FAIL, ANNOTATION_RUN_SECONDS,
  type Stage, type StageSelector, type StageDelay, type StageNext, type StageTimings, type SimPodState,
} from './stages.js';
export { SIMULATED_LABEL, runtimeHandlers, type SimOs } from './node-object.js';
