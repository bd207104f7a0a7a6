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
  }

  render(data.board);
  Board.live("projector", render);
})();
