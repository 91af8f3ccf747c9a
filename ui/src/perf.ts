// Marks the first render of a view that shows real data (the "first meaningful render"), read by
// the browser bench (bench/ui.ts) through performance.getEntriesByName.

const marked = new Set<string>();

export function markFirstRender(view: string): void {
  if (marked.has(view)) return;
  marked.add(view);
  // after the frame that paints it, not when the component function runs
  requestAnimationFrame(() => performance.mark(`tandem:first-render:${view}`));
}
