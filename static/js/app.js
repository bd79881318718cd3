// Starts NHS.UK frontend's components. Load with type="module": it then runs once the page is
// parsed, and only in browsers NHS.UK frontend supports. It stands in for the inline script of
// the NHS.UK page template, which the Content-Security-Policy (script-src 'self') forbids.
import { initAll } from "../nhsuk/nhsuk.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// A filter box above each long checkbox list (qiportal.widgets.CheckboxPicker). Without JavaScript
// the list still works: it is plain checkboxes. Ticked choices always stay in view.
for (const picker of document.querySelectorAll("[data-app-picker]")) {
  const items = [...picker.querySelectorAll(".nhsuk-checkboxes__item")];
  const noun = picker.dataset.noun || "choices";
  const group = document.createElement("div");
  group.className = "nhsuk-form-group app-picker__filter";
  const label = document.createElement("label");
  label.className = "nhsuk-label";
  label.htmlFor = `${picker.id}-filter`;
  label.textContent = `Filter the ${noun} by name`;
  const input = document.createElement("input");
  input.className = "nhsuk-input nhsuk-input--width-20";
  input.id = `${picker.id}-filter`;
  input.type = "search";
  input.autocomplete = "off";
  input.spellcheck = false;
  const status = document.createElement("p");
  status.className = "nhsuk-u-visually-hidden";
  status.setAttribute("aria-live", "polite");
  status.id = `${picker.id}-status`;
  group.append(label, input, status);
  picker.before(group);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // filtering never sends the form
  });
  input.addEventListener("input", () => {
    const words = input.value.trim().toLowerCase();
    let shown = 0;
    for (const item of items) {
      const box = item.querySelector("input");
      const match = !words || box.checked || item.textContent.toLowerCase().includes(words);
      item.hidden = !match;
      if (match) shown += 1;
    }
    status.textContent = words ? `${shown} of ${items.length} ${noun} shown` : "";
  });
}

// What "More" hides still counts. At narrow widths the NHS.UK header moves the menu items that do
// not fit into the list behind its "More" button; a count on a hidden item (audits to answer, say)
// would then be out of sight. The button shows the total of the counts it hides.
const headerMenu = document.querySelector(".nhsuk-header__menu");
const moreButton = headerMenu?.querySelector(".nhsuk-header__menu-toggle");
if (headerMenu && moreButton) {
  const badge = document.createElement("span");
  badge.className = "app-nav-count";
  badge.hidden = true;
  moreButton.append(badge);
  const showHidden = () => {
    let total = 0;
    for (const count of headerMenu.querySelectorAll(".nhsuk-header__menu-list .app-nav-count")) {
      total += Number.parseInt(count.textContent, 10) || 0;
    }
    const words = `${total}`;
    if (badge.hidden !== (total === 0) || badge.dataset.total !== words) {
      badge.hidden = total === 0;
      badge.dataset.total = words;
      badge.replaceChildren(words, Object.assign(document.createElement("span"), {
        className: "nhsuk-u-visually-hidden",
        textContent: " waiting in these pages",
      }));
    }
  };
  new MutationObserver(showHidden).observe(headerMenu, { childList: true, subtree: true });
  showHidden();
}
