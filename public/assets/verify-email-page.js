// The entry point of /verify-email, which the link mailed at sign-up (or from /account) opens:
// PUBLIC_ORIGIN/verify-email#token=… As on /reset-password, the token rides in the fragment so that no server,
// log or Referer sees it, leaves the address bar before anything else, and is sent only in a request's body.
// No session is needed (the token is the proof); whether this browser has one only picks the link to go on with.
import { showOutcome } from "./auth-form.js";
import { post } from "./http.js";
import { restore } from "./session.js";

const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
history.replaceState(history.state, "", location.pathname + location.search);

// A spent or missing link cannot be mended here: a new one is mailed from the account page, to a signed-in person.
const newLinkSteps = "To get a new link, sign in, open your account page and press “Send a new link”.";
const signIn = { href: "/login", text: "Sign in" };

// A failure to tell counts as not signed in.
const signedIn = token ? restore().catch(() => false) : Promise.resolve(false);
let shown = document.querySelector("#verification");

/** `whenSignedIn` when this browser has a session, else the sign-in page. */
async function onwards(whenSignedIn) {
  return (await signedIn) ? whenSignedIn : signIn;
}

async function confirm() {
  try {
    await post("/api/auth/verify-email", { token });
  } catch (error) {
    shown = error.code === "invalid_token"
      ? showOutcome(shown, { kind: "error", text: [error.message, newLinkSteps],
        link: await onwards({ href: "/account", text: "Open your account" }) })
      // A rate limit or a server out of reach: the link may still be good, so the same token may go again.
      : showOutcome(shown, { kind: "error", text: error.message,
        action: { textContent: "Try again", onclick: (event) => { event.target.disabled = true; confirm(); } } });
    return;
  }
  shown = showOutcome(shown, { text: "Your email address is confirmed. Thank you!",
    link: await onwards({ href: "/", text: "Open the chat" }) });
}

if (token) {
  confirm();
} else {
  showOutcome(shown, { kind: "error",
    text: ["This page needs the link from the email we sent you. Open that link again.", newLinkSteps],
    link: signIn });
}
