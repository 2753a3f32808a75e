// Shows the risk (consequence × probability) as the reporter chooses, in the live
// text that screen readers announce, and marks the cell in the matrix picture.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-risk-form]");
  if (!form) return;
  const output = form.querySelector("[data-risk-output]");
  const level = (risk) => (risk <= 4 ? "low" : risk <= 9 ? "medium" : "high");

  function update() {
    const consequence = form.querySelector("input[name=consequence]:checked");
    const probability = form.querySelector("input[name=probability]:checked");
    if (!consequence || !probability) return;
    const risk = Number(consequence.value) * Number(probability.value);
    const name = level(risk);
    output.textContent = output.dataset.template
      .replace("%(risk)s", String(risk))
      .replace("%(level)s", output.dataset[name]);
    output.dataset.level = name;
    form.querySelectorAll(".risk-matrix__cell").forEach((cell) => {
      cell.classList.toggle("is-selected", cell.dataset.cell === `${consequence.value}-${probability.value}`);
    });
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "consequence" || event.target.name === "probability") update();
  });
});
