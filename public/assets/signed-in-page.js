// What every page for a signed-in person does first: restore the session (or go to the sign-in page, which comes
// back here), keep in step with the other tabs, wire the header's Log out button; and, when the page cannot
// start, say so.
import { withNext } from "./next-path.js";
import { followOtherTabs, logOut, restore, user } from "./session.js";

/** Runs `start(user)` once the session is restored; without a session, goes to /login instead, with this page
 * (its path and query) as the `next` to come back to. An error that `start` throws is shown in the page's
 * #page-error banner. */
export function startSignedIn(start) {
  (async () => {
    if (!(await restore())) {
      location.replace(withNext("/login", location.pathname + location.search));
      return;
    }
    followOtherTabs();
    // A page without the header (the consent page's card) has no Log out button.
    const logoutButton = document.querySelector("#logout");
    logoutButton?.addEventListener("click", () => {
      logoutButton.disabled = true;
      logOut();
    });
    await start(user());
  })().catch((error) => {
    const banner = document.querySelector("#page-error");
    banner.textContent = `${error.message} Reload the page to try again.`;
    banner.hidden = false;
  });
}
