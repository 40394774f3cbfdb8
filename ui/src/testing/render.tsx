// Rendering a screen against the mock backend in happy-dom, for the screens' tests.

import type { ComponentChildren } from "preact";
import { render } from "preact";
import { act } from "preact/test-utils";

import type { Backend } from "../backend/backend";
import { BackendContext, type Note, NotifyContext } from "../shared/context";

export interface Mounted {
  root: HTMLElement;
  notes: Omit<Note, "id">[];
  text(): string;
  one(selector: string): HTMLElement;
  all(selector: string): HTMLElement[];
  click(selector: string): void;
  clickButton(label: string): void;
  type(selector: string, value: string): void;
  key(selector: string, key: string, init?: KeyboardEventInit): void;
  unmount(): void;
}

/** Let pending promises and the re-renders they cause finish. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
  }
}

export async function mount(ui: ComponentChildren, backend: Backend): Promise<Mounted> {
  const root = document.createElement("div");
  document.body.appendChild(root);
  const notes: Omit<Note, "id">[] = [];
  await act(() => {
    render(
      <BackendContext.Provider value={backend}>
        <NotifyContext.Provider value={(n) => notes.push(n)}>{ui}</NotifyContext.Provider>
      </BackendContext.Provider>,
      root,
    );
  });
  await settle();
  const one = (selector: string) => {
    const el = root.querySelector<HTMLElement>(selector);
    if (!el) throw new Error(`nothing matches ${selector} in:\n${root.innerHTML}`);
    return el;
  };
  return {
    root,
    notes,
    text: () => root.textContent ?? "",
    one,
    all: (selector) => [...root.querySelectorAll<HTMLElement>(selector)],
    click: (selector) => act(() => one(selector).click()),
    clickButton: (label) => {
      const button = [...root.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent?.trim() === label);
      if (!button) throw new Error(`no button "${label}" in:\n${root.innerHTML}`);
      if (button.disabled) throw new Error(`button "${label}" is disabled`);
      act(() => button.click());
    },
    type: (selector, value) =>
      act(() => {
        const el = one(selector) as HTMLInputElement;
        el.value = value;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }),
    key: (selector, key, init = {}) =>
      act(() => {
        one(selector).dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, ...init }));
      }),
    unmount: () => {
      render(null, root);
      root.remove();
    },
  };
}
