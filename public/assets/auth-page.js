// The entry point of /login and /register: which of the two forms a page shows is named by its <body data-form>.
// Both go on to `?next=` when it names a page of this site (the one that sent the person here), else to the chat.
import { authForm, PASSWORD_RULES } from "./auth-form.js";
import { showStatus } from "./dom.js";
import { ApiError } from "./http.js";
import { nextPath, withNext } from "./next-path.js";
import { ACCOUNT_DELETED_PAGE, logIn, onSignInElsewhere, register } from "./session.js";

// What a person whose address is not confirmed yet (a server with REQUIRE_VERIFIED_EMAIL) can do about it, after
// the API's own words: sending again would not help, the link would.
const openTheLink = "Open the link in the message we mailed you (look in the spam folder too), then sign in again.";

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

const next = nextPath();

function goOn() {
  location.replace(next);
}

// The link to the other form (sign in ↔ create an account) keeps the way back.
const switchLink = document.querySelector(".switch a");
switchLink.href = withNext(switchLink.pathname, next);

// After an account's deletion this page says so once; the query is dropped so that a reload does not say it again.
if (location.pathname + location.search === ACCOUNT_DELETED_PAGE) {
  history.replaceState(history.state, "", location.pathname);
  showStatus(document.querySelector("#page-notice"),
    "Your account was deleted, with all its tasks and conversations. A confirmation was mailed to you.");
}

const { submit, ...options } = forms[document.body.dataset.form];
document.querySelector("#auth-form").replaceWith(authForm({
  ...options,
  submit: async ({ email, password }, { whenBusy }) => {
    try {
      await submit(email, password, { whenBusy });
    } catch (error) {
      if (error.code !== "email_not_verified") throw error;
      throw new ApiError(error.status, error.code, `${error.message} ${openTheLink}`);
    }
    goOn();
  },
}));
document.querySelector("#email").focus();
onSignInElsewhere(goOn);
