// A virtualised list: only the rows in view (plus a few) are in the DOM, so 30,000 pods cost the
// same to render as 30. Rows have one fixed height. Keyboard: the list is one tab stop; arrows,
// Page Up/Down, Home/End move the active row (announced through aria-activedescendant), Enter opens it.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Props<T> {
  items: readonly T[];
  rowHeight: number;
  label: string;
  id: string;
  render: (item: T, index: number) => ComponentChildren;
  /** Enter on the active row; rows that open nothing (group headers) return false */
  onOpen?: (item: T) => void;
  rowClass?: (item: T) => string;
}

const OVERSCAN = 8;

export function VirtualList<T>({ items, rowHeight, label, id, render, onOpen, rowClass }: Props<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [active, setActive] = useState(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const count = items.length;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const activeIndex = Math.min(active, Math.max(0, count - 1));

  const moveTo = (i: number) => {
    const next = Math.max(0, Math.min(count - 1, i));
    setActive(next);
    const el = box.current;
    if (!el) return;
    const top = next * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  };

  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) moveTo(activeIndex + (moves[e.key] ?? 0));
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(count - 1);
    else if (e.key === 'Enter' && onOpen && items[activeIndex] !== undefined) onOpen(items[activeIndex]);
    else return;
    e.preventDefault();
  };

  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i] as T;
    rows.push(
      <div
        key={i}
        id={`${id}-row-${i}`}
        role="option"
        aria-selected={i === activeIndex}
        class={`vrow${i === activeIndex ? ' active' : ''} ${rowClass ? rowClass(item) : ''}`}
        style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
        onClick={() => setActive(i)}
      >
        {render(item, i)}
      </div>,
    );
  }
  return (
    <div
      ref={box}
      class="vlist"
      role="listbox"
      tabIndex={0}
      aria-label={label}
      aria-activedescendant={count ? `${id}-row-${activeIndex}` : undefined}
      onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
      onKeyDown={onKey}
    >
      <div style={{ height: `${count * rowHeight}px`, position: 'relative' }}>{rows}</div>
    </div>
  );
}
