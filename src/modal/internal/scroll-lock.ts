const LOCKED_PROPERTIES = ['overflow', 'scrollbar-gutter'] as const;

let holders = 0;
let saved: { name: string; value: string; priority: string }[] = [];
let hadStyleAttribute = false;

/**
 * Stops the page behind the modal from scrolling and returns the release function. Reference-counted
 * (two modals, or two copies of the SDK, release once) and it puts back exactly the inline styles the
 * page had, because we run on other people's pages. The scroll position is untouched: only overflow
 * changes, and the scrollbar's space is kept so the page does not shift sideways.
 */
export function lockPageScroll(): () => void {
  const root = document.documentElement;
  if (holders++ === 0) {
    hadStyleAttribute = root.hasAttribute('style');
    saved = LOCKED_PROPERTIES.map((name) => ({
      name,
      value: root.style.getPropertyValue(name),
      priority: root.style.getPropertyPriority(name),
    }));
    const hasScrollbar = window.innerWidth > root.clientWidth;
    root.style.setProperty('overflow', 'hidden', 'important');
    if (hasScrollbar) root.style.setProperty('scrollbar-gutter', 'stable', 'important');
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders > 0) return;
    for (const { name, value, priority } of saved) {
      if (value === '') root.style.removeProperty(name);
      else root.style.setProperty(name, value, priority);
    }
    if (!hadStyleAttribute && root.getAttribute('style') === '') root.removeAttribute('style');
  };
}
