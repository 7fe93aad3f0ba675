// The entry point of /login and /register: which of the two forms a page shows is named by its <body data-form>.
import { authForm, PASSWORD_RULES } from "./auth-form.js";
import { logIn, onSignInElsewhere, register } from "./session.js";

const emailField = { name: "email", label: "Email", type: "email", autocomplete: "email" };
const forms = {
  login: {
    fields: [emailField, { name: "password", label: "Password", type: "password", autocomplete: "current-password" }],
    submitLabel: "Sign in",
    busyLabel: "Signing in…",
    submit: logIn,
  },
  register: {
    fields: [
      emailField,
      { name: "password", label: "Password", type: "password", autocomplete: "new-password", hint: PASSWORD_RULES },
    ],
    submitLabel: "Create account",
    busyLabel: "Creating your account…",
    submit: register,
  },
};

function openChat() {
  location.replace("/");
}

const { submit, ...options } = forms[document.body.dataset.form];
document.querySelector("#auth-form").replaceWith(authForm({
  ...options,
  submit: async ({ email, password }, { whenBusy }) => {
    await submit(email, password, { whenBusy });
    openChat();
  },
}));
document.querySelector("#email").focus();
onSignInElsewhere(openChat);
