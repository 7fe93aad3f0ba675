// The entry point of /login and /register: which of the two forms a page shows is named by its <body data-form>.
import { authForm } from "./auth-form.js";
import { logIn, onSignInElsewhere, register } from "./session.js";

const forms = {
  login: {
    submitLabel: "Sign in",
    busyLabel: "Signing in…",
    passwordAutocomplete: "current-password",
    submit: logIn,
  },
  register: {
    submitLabel: "Create account",
    busyLabel: "Creating your account…",
    passwordAutocomplete: "new-password",
    // The server's PasswordPolicy, which counts characters as the API's document does (Unicode code points) and
    // refuses the 10,000 most used passwords.
    passwordRules:
      "Use 8 to 256 characters, not a commonly used password: a passphrase of a few words is easy to remember and " +
      "hard to guess.",
    submit: register,
  },
};

function openChat() {
  location.replace("/");
}

const { submit, ...labels } = forms[document.body.dataset.form];
document.querySelector("#auth-form").replaceWith(authForm({
  ...labels,
  submit: async ({ email, password }, options) => {
    await submit(email, password, options);
    openChat();
  },
}));
document.querySelector("#email").focus();
onSignInElsewhere(openChat);
