// Keeps a practice checklist or the trainer's board live: the server sends the board (or the
// trainee's own row) each time something is done in the practice space.
(() => {
  const root = document.querySelector('[data-practice-events]');
  if (!root) return;
  // The anonymous room's receipt, taken by the room page after the trainee spoke there
  // (static/room.js), is handed in here as the practice identity: when the trainee comes back
  // to the checklist, a moment that says nothing of when the word was said.
  const room = root.dataset.roomReceipt;
  const kept = room && localStorage.getItem(`sotong.receipt.${room}`);
  if (kept && kept.startsWith('{')) {
    fetch(`/api/v1/sotong/practice/${root.dataset.space}/room_receipt`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]')?.content ?? '',
      },
      body: kept,
    }).then((response) => {
      // Handed in, or handed in before: either way this browser is done with it.
      if (response.ok || response.status === 409) {
        localStorage.setItem(`sotong.receipt.${room}`, 'handed-in');
        root.dataset.receipt = 'handed-in';
      }
    }).catch(() => {});
  }
  if (!window.EventSource) return;
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
