/* Buyer simulator: keep the phone chat scrolled to the newest message, Enter sends (Shift+Enter for a new line). */
(function () {
  "use strict";
  // Interface strings through Django's JavaScript catalogue (/jsi18n/, docs/i18n.md).
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);

  const box = () => document.getElementById("chat-messages");

  function lastMessageId() {
    return Array.from(document.querySelectorAll("#chat-messages .chat-msg[data-id]")).reduce(
      (max, el) => Math.max(max, Number(el.dataset.id) || 0),
      0,
    );
  }

  function tidy() {
    const chat = box();
    if (!chat) return;
    const seen = new Set();
    chat.querySelectorAll(".chat-msg[data-id]").forEach((el) => {
      if (seen.has(el.dataset.id)) el.remove();
      else seen.add(el.dataset.id);
    });
    if (seen.size) chat.querySelectorAll(".chat-empty").forEach((el) => el.remove());
    chat.scrollTop = chat.scrollHeight;
  }

  document.addEventListener("keydown", (e) => {
    if (e.target.id === "buyer-text" && e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });

  document.addEventListener("change", (e) => {
    if (e.target.type !== "file") return;
    const label = e.target.closest(".attach-round");
    if (!label) return;
    const file = e.target.files && e.target.files[0];
    label.classList.toggle("has-file", !!file);
    label.title = file ? file.name : gettext("Attach a photo (JPG or PNG, up to 5 MB)");
  });

  document.addEventListener("htmx:afterSettle", (e) => {
    const id = e.detail.target && e.detail.target.id;
    if (id === "chat-messages") tidy();
    if (id === "buyer-composer") {
      const text = document.getElementById("buyer-text");
      if (text) text.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", tidy);

  window.SimulatorUI = { lastMessageId };
})();
