// "Who can see this page" (pages/audience.py): the sentence's "After publishing: ..." follows the radio the editor
// picks, before they save. The server writes the same sentence on every load; this only keeps it current.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== "who_can_see") return;
  const after = input.form && input.form.querySelector("[data-audience-after]");
  if (after && after.dataset[input.value]) after.textContent = after.dataset[input.value];
});
