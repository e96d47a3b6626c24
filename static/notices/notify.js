// Browser notification when the export ends while the page is in a background tab.
// Permission is asked for only after the user ticks the box; the choice is kept in this browser.
(() => {
  "use strict";
  const KEY = "bufdir.notifyWhenExportEnds";
  const ACTIVE = ["pending", "running"];
  const box = document.getElementById("notify-browser");
  if (!box || box.dataset.ready) return;
  box.dataset.ready = "1";
  const status = document.getElementById("notify-browser-status");
  if (!("Notification" in window)) {
    box.closest(".notify-browser").hidden = true;
    return;
  }
  box.checked = localStorage.getItem(KEY) === "1" && Notification.permission === "granted";
  box.addEventListener("change", async () => {
    if (box.checked && Notification.permission !== "granted") {
      const permission = await Notification.requestPermission();
      box.checked = permission === "granted";
      if (!box.checked && status) status.textContent = box.dataset.denied;
    }
    localStorage.setItem(KEY, box.checked ? "1" : "0");
  });
  const current = () => {
    const element = document.getElementById("export-status");
    return element ? element.dataset.status : null;
  };
  let last = current();
  const observer = new MutationObserver(() => {
    const now = current();
    if (now === last) return;
    const was = last;
    last = now;
    if (!ACTIVE.includes(was) || !now || ACTIVE.includes(now)) return;
    if (!box.checked || Notification.permission !== "granted" || document.visibilityState !== "hidden") return;
    const title = box.dataset[now] || box.dataset.ended;
    const notification = new Notification(title, {body: box.dataset.body, tag: "bufdir-export"});
    notification.onclick = () => { window.focus(); notification.close(); };
  });
  observer.observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["data-status"]});
})();
