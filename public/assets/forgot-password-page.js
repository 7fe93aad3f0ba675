// The entry point of /forgot-password: asks the API to mail a reset link to an address. The answer is the same
// whether or not the address has an account, so the page can only pass on the server's own neutral words.
import { authForm, showOutcome } from "./auth-form.js";
import { post } from "./http.js";

const form = authForm({
  fields: [{ name: "email", label: "Email", type: "email", autocomplete: "email" }],
  submitLabel: "Send the link",
  busyLabel: "Sending…",
  // No automatic retry: the refusals here are a rate limit (its wait is the person's to decide about) and a
  // server that sends no mail; both are shown in the API's words.
  submit: async ({ email }) => {
    const { message } = await post("/api/auth/password-reset", { email });
    showOutcome(form, { text: message });
  },
});
document.querySelector("#auth-form").replaceWith(form);
document.querySelector("#email").focus();
