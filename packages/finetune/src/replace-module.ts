// Swapping a submodule in place, as Python's `setattr(module, name, new)` does: the parent's child
// entry (same name, same position) and every field of the parent that held the old module.
import type { Module } from '@llmfs/nn';
import { ModelSetupError } from './errors.js';

/** Replaces `parent`'s child `name` (currently `oldChild`) by `newChild`, keeping name and order. */
export function replaceModule(parent: Module, name: string, oldChild: Module, newChild: Module): void {
  const p = parent as unknown as Record<string, unknown> & { replaceModule?: (n: string, m: Module) => void };
  if (typeof p.replaceModule === 'function') {
    p.replaceModule(name, newChild);
  } else {
    // @llmfs/nn keeps children in a private Map; setting an existing key keeps its position.
    const children = p.children;
    if (!(children instanceof Map) || children.get(name) !== oldChild) {
      throw new ModelSetupError(`cannot replace submodule '${name}': the parent does not hold it`);
    }
    children.set(name, newChild);
  }
  for (const key of Object.keys(p)) {
    const v = p[key];
    if (v === oldChild) p[key] = newChild;
    else if (Array.isArray(v)) v.forEach((item, i) => item === oldChild && (v[i] = newChild));
  }
}
