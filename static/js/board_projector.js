/* The projector's board: the live grid and gap markers, big, without notes or controls. */
(function () {
  "use strict";
  var Board = window.BryggaBoard, data = window.Brygga.data;

  function render(board) {
    document.getElementById("board-empty").hidden = board.stages.length > 0;
    var info = Board.render(document.getElementById("board-grid"), board, { projector: true });
    Board.renderOthers(document.getElementById("other-list"), board, info, { projector: true });
    var c = Board.counts(board);
    document.getElementById("board-counts").textContent = c.text + " \u00b7 " + c.grades;
    fit();
  }

  /* A projector cannot scroll: while the page is taller than the screen (a long journey, long
     names in English, a laptop's screen), its type is made a little smaller, down to 60 %; not when the
     reader has enlarged the browser's text (the page scrolls then). */
  function fit() {
    var root = document.querySelector(".board-projector");
    root.style.fontSize = "";
    var base = parseFloat(window.getComputedStyle(root).fontSize), size = base;
    var enlarged = window.Brygga.textEnlarged();
    while (!enlarged && document.documentElement.scrollHeight > window.innerHeight + 1 && size > base * 0.6) {
      size -= 0.5;
      root.style.fontSize = size + "px";
    }
    root.dataset.fit = String(Math.round((100 * size) / base) / 100);
  }
  window.addEventListener("resize", fit);

  render(data.board);
  Board.live("projector", render);
})();
