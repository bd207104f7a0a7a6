/* Server-rendered result bars: widths are set here because the CSP forbids inline styles. */
document.querySelectorAll(".bar-fill[data-pct]").forEach(function (fill) {
  fill.style.width = Math.max(0, Math.min(100, Number(fill.dataset.pct) || 0)) + "%";
});
