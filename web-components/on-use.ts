/**
 * Defines elements the first time their tag is on the page. The coordinators' tools are large and
 * most intranet pages (a staff member's, a manager's) never show them: their code loads only
 * where a page uses them, from the same folder as the bundle.
 */
export function defineOnUse(loaders: Record<string, () => Promise<unknown>>): void {
  if (typeof document === 'undefined' || typeof MutationObserver === 'undefined') return;
  const pending = new Map(Object.entries(loaders));
  const look = (root: ParentNode) => {
    for (const [tag, load] of pending) {
      if ((root instanceof Element && root.localName === tag) || root.querySelector(tag)) {
        pending.delete(tag);
        void load();
      }
    }
    if (!pending.size) observer.disconnect();
  };
  const observer = new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) look(n);
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  look(document);
}
