// Progressive enhancement for the live dialogue: the element with data-status-url asks
// for the session's status every data-interval ms. The big screen updates its count and
// shows the reveal button once the minimum has answered; both the screen and the phones
// reload when the exercise on the screen changes or its distribution is shown. A phone
// waits while someone is typing or choosing. Without this script the screen reloads by
// its <noscript> meta refresh and the phones have an "update" link.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-status-url]");
  if (!root) return;
  const url = root.dataset.statusUrl;
  const interval = Number(root.dataset.interval) || 1500;
  const count = document.querySelector("[data-count]");
  const reveal = document.querySelector("[data-reveal]");
  const rule = document.querySelector("[data-rule]");
  const busy = () => {
    const active = document.activeElement;
    return active && active.form && active.form.method === "post" && active.type !== "submit";
  };
  const tick = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) return;
      const status = await response.json();
      if (!status.active || status.exercise !== root.dataset.exercise ||
          String(status.revealed) !== root.dataset.revealed) {
        if (!busy()) window.location.reload();
        return;
      }
      if (count && typeof status.count === "number" && count.textContent !== String(status.count)) {
        count.textContent = String(status.count);
      }
      if (reveal) reveal.hidden = !status.can_reveal;
      if (rule) rule.hidden = Boolean(status.can_reveal);
    } catch (error) {
      // A missed poll is retried at the next tick.
    }
  };
  window.setInterval(tick, interval);
});
