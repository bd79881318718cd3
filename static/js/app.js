// Starts NHS.UK frontend's components. Load with type="module": it then runs once the page is
// parsed, and only in browsers NHS.UK frontend supports. It stands in for the inline script of
// the NHS.UK page template, which the Content-Security-Policy (script-src 'self') forbids.
import { initAll } from "../nhsuk/nhsuk.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
