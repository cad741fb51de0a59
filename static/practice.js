// Keeps a practice checklist or the trainer's board live: the server sends the board (or the
// trainee's own row) each time something is done in the practice space.
(() => {
  const root = document.querySelector('[data-practice-events]');
  if (!root || !window.EventSource) return;
  const done = root.dataset.doneLabel;
  const todo = root.dataset.todoLabel;
  const minutes = (ms) => {
    if (ms === null || ms === undefined) return '';
    const m = Math.round(ms / 60000);
    return document.documentElement.lang === 'en' ? `${m} min` : `${m}분`;
  };
  const source = new EventSource(root.dataset.practiceEvents);
  source.addEventListener('board', (event) => {
    const board = JSON.parse(event.data);
    // Someone joined (or the space was reset): the board's rows are drawn anew.
    const rows = root.querySelectorAll('tr[data-trainee]');
    if (root.querySelector('table') && board.trainees.length !== rows.length) {
      window.location.reload();
      return;
    }
    for (const row of board.trainees) {
      const line = root.querySelector(`[data-trainee="${row.trainee.account_id}"]`);
      if (!line) continue;
      row.done_tasks.forEach((isDone, k) => {
        const cell = line.querySelector(`[data-task="${k}"]`);
        if (!cell) return;
        cell.dataset.done = isDone ? '1' : '0';
        const state = cell.querySelector('.state') || cell;
        state.textContent = isDone
          ? `✓ ${state === cell ? '' : done + ' '}${minutes(row.took_ms[k])}`.trim()
          : (state === cell ? '—' : todo);
      });
      const stuck = line.querySelector('.stuck');
      if (stuck) stuck.hidden = row.stuck_on === null;
      const count = document.getElementById('done-count');
      if (count) count.textContent = row.done;
    }
    const finished = document.getElementById('finished');
    if (finished) finished.textContent = board.numbers.finished;
    const total = document.getElementById('total');
    if (total) total.textContent = board.numbers.trainees;
  });
})();
