// The demo's diversity control: a slider for `recommend({ diversity })` (MMR, 0 = pure
// relevance). De-duplication of same-title variants is the library's default, so every row of
// the demo — "popular" included — lists each product once without anything here.

/** Slider steps: the values docs/QUALITY.md § 9 measured. */
const STEPS = [0, 0.1, 0.3, 0.5];

/**
 * Adds the slider to `container` and calls `onChange` after each move.
 * @param {HTMLElement} container
 * @param {() => void} onChange
 * @returns {{ options(): { diversity: number } }} what to pass to `recommend`
 */
export function diversityControl(container, onChange) {
  const label = document.createElement("label");
  label.className = "diversity";
  label.htmlFor = "diversity";
  const input = document.createElement("input");
  Object.assign(input, { type: "range", id: "diversity", min: "0", max: String(STEPS.length - 1), step: "1", value: "0" });
  input.setAttribute("aria-describedby", "diversity-value");
  const value = document.createElement("output");
  value.id = "diversity-value";
  value.htmlFor = "diversity";
  const diversity = () => STEPS[Number(input.value)] ?? 0;
  const show = () => {
    value.textContent = diversity() === 0 ? "off" : String(diversity());
    input.setAttribute("aria-valuetext", `diversity ${value.textContent}`);
  };
  show();
  input.addEventListener("input", () => {
    show();
    onChange();
  });
  label.append("Diversity ", input, value);
  container.append(label);
  return { options: () => ({ diversity: diversity() }) };
}
