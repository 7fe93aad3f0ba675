// The entry point of /reset-password, which the mailed link opens: PUBLIC_ORIGIN/reset-password#token=…
// The token rides in the fragment so that no server, log or Referer ever sees it. The page takes it out of the
// address bar before anything else (so the history, a bookmark or a shared screen does not keep it) and sends it
// only in the body of the confirmation.
import { authForm, PASSWORD_RULES, showOutcome } from "./auth-form.js";
import { post, retryingOnceWhenBusy } from "./http.js";

const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
history.replaceState(history.state, "", location.pathname + location.search);

const newLink = { href: "/forgot-password", text: "Ask for a new link" };
const placeholder = document.querySelector("#auth-form");

if (!token) {
  showOutcome(placeholder, {
    kind: "error",
    text: "This page needs the link from the email we sent you. Open that link again, or ask for a new one.",
    link: newLink,
  });
} else {
  const form = authForm({
    fields: [
      { name: "new_password", label: "New password", type: "password", autocomplete: "new-password",
        hint: PASSWORD_RULES },
      { name: "confirm_password", label: "Confirm new password", type: "password", autocomplete: "new-password" },
    ],
    submitLabel: "Set the new password",
    busyLabel: "Setting the password…",
    // The repetition never leaves the page, so it is the one check the page makes by itself.
    check: (values) => ({
      confirm_password: values.confirm_password === values.new_password ? "" : "must match the new password",
    }),
    submit: async ({ new_password }, { whenBusy }) => {
      try {
        // The confirmation hashes a password, on the same busy lane as sign-in.
        await retryingOnceWhenBusy(() => post("/api/auth/password-reset/confirm", { token, new_password }), whenBusy);
      } catch (error) {
        // The link cannot be used again, whatever is typed: say so in place of the form.
        if (error.code !== "invalid_token") throw error;
        showOutcome(form, { kind: "error", text: error.message, link: newLink });
        return;
      }
      showOutcome(form, {
        text: "Your password was changed, and every device was signed out. Sign in with the new password.",
        link: { href: "/login", text: "Sign in" },
      });
    },
  });
  placeholder.replaceWith(form);
  document.querySelector("#new-password").focus();
}
