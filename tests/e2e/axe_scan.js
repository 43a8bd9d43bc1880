// Evaluated in the page by tests/e2e/test_webapp.py after axe-core was injected: the serious and critical
// violations of the WCAG 2.1 A/AA and best-practice rules, each with up to five of its elements.
async () => {
  const result = await window.axe.run(document, {
    runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
}
