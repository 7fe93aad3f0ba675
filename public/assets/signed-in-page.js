// What every page for a signed-in person does first: restore the session (or go to the sign-in page), keep in
// step with the other tabs, wire the header's Log out button; and, when the page cannot start, say so.
import { followOtherTabs, logOut, restore, user } from "./session.js";

/** Runs `start(user)` once the session is restored; without a session, goes to /login instead. An error that
 * `start` throws is shown in the page's #page-error banner. */
export function startSignedIn(start) {
  (async () => {
    if (!(await restore())) {
      location.replace("/login");
      return;
    }
    followOtherTabs();
    const logoutButton = document.querySelector("#logout");
    logoutButton.addEventListener("click", () => {
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
