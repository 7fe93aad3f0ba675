// The one form behind every page that sends a password or an address: sign-in, registration, the forgotten
// password, the reset link and the password change. The API is the only judge of the input (the form has
// `novalidate`), so its field errors appear under their fields, in its own words.
import { element, showStatus } from "./dom.js";

// The server's PasswordPolicy, which counts characters as the API's document does (Unicode code points) and
// refuses the 10,000 most used passwords.
export const PASSWORD_RULES =
  "Use 8 to 256 characters, not a commonly used password: a passphrase of a few words is easy to remember and " +
  "hard to guess.";

/** One labelled input. `name` is the API's name for the value (and the key of its field errors); the input's id
 * is that name with dashes (`new_password` → `#new-password`, its error `#new-password-error`). A checkbox (a
 * confirmation that never leaves the page) has its label after the box, and its value is "yes" when ticked. */
function field({ name, label, type, autocomplete, hint }) {
  const id = name.replaceAll("_", "-");
  const checkbox = type === "checkbox";
  const input = element("input", { id, name, type, required: true,
    ...(checkbox ? { value: "yes" } : { autocomplete, spellcheck: false }) });
  const error = element("p", { className: "field-error", id: `${id}-error`, hidden: true });
  const hintNode = hint ? element("p", { className: "hint", id: `${id}-hint`, textContent: hint }) : null;
  input.setAttribute("aria-describedby", [hintNode?.id, error.id].filter(Boolean).join(" "));
  const labelNode = element("label", { htmlFor: id, textContent: label });
  const node = element("div", { className: checkbox ? "field checkbox" : "field" }, [
    ...(checkbox ? [element("div", { className: "checkbox-row" }, [input, labelNode])] : [labelNode, input]),
    ...(hintNode ? [hintNode] : []),
    error,
  ]);
  const value = () => (checkbox ? (input.checked ? input.value : "") : input.value);
  // A checkbox's label is a whole sentence, so its problem is said by itself rather than after the label.
  const sentence = (problem) => (checkbox ? problem : `${label} ${problem}.`);
  return { input, error, node, value, sentence };
}

/**
 * Builds the form: `fields` ({name, label, type, autocomplete, hint?} each), a submit button. On submit,
 * `check(values)` may name problems the page can see by itself ({name: "must …"}); when there are none,
 * `submit(values, {whenBusy, form})` does the work, with `values` by field name. The problems `check` names and
 * the `fields` of an ApiError that `submit` throws go under the matching inputs; an error whose code
 * `errorFields` maps to a field name goes under that field in the API's words; anything else goes above the
 * button. `submit` calls `whenBusy(seconds)` before retrying a request the service was too busy for: the form
 * says so, keeps the button busy and what was typed, and resolves once the wait is over. After a success the
 * button stays busy, since most pages move on; a page that stays calls `form.reset()`, which empties the fields
 * and makes the form ready again.
 */
export function authForm({ fields: specs, submitLabel, busyLabel, check = () => ({}), errorFields = {}, submit }) {
  const fields = Object.fromEntries(specs.map((spec) => [spec.name, field(spec)]));
  const formError = element("p", { className: "form-error", role: "alert", hidden: true });
  const busyNotice = element("p", { className: "form-notice", role: "status", hidden: true });
  const button = element("button", { type: "submit", className: "button primary", textContent: submitLabel });
  const form = element("form", { className: "auth-form", noValidate: true }, [
    ...Object.values(fields).map(({ node }) => node), busyNotice, formError, button,
  ]);

  function setBusy(busy) {
    button.disabled = busy;
    button.textContent = busy ? busyLabel : submitLabel;
    button.classList.toggle("busy", busy);
    form.setAttribute("aria-busy", String(busy));
  }

  /** The sentence under each field with a problem: the API's per-field words ("must …") after the field's label,
   * or the whole message of an error that `errorFields` assigns to a field. */
  function sentences(problems, error) {
    const byField = Object.fromEntries(Object.entries(problems).filter(([name, problem]) => problem && fields[name])
      .map(([name, problem]) => [name, fields[name].sentence(problem)]));
    const name = errorFields[error?.code];
    return name ? { ...byField, [name]: error.message } : byField;
  }

  /** Shows each field's sentence under it (or `message` above the button when no field has one) and puts the
   * focus on the first field to fix. An empty `fieldSentences` and `message` clear everything. */
  function showErrors(fieldSentences, message) {
    let firstInvalid = null;
    for (const [name, { input, error }] of Object.entries(fields)) {
      const sentence = fieldSentences[name] ?? "";
      showStatus(error, sentence);
      if (sentence) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      firstInvalid ??= sentence ? input : null;
    }
    showStatus(formError, firstInvalid ? "" : message);
    if (firstInvalid || message) (firstInvalid ?? Object.values(fields)[0].input).focus();
  }

  /** Says that the service is busy and when the form tries again; resolves then, and hides the notice. The
   * notice is said once by screen readers, not at every second. */
  function waitWhileBusy(seconds) {
    const wait = Math.max(1, Math.ceil(seconds));
    showStatus(busyNotice, `The service is busy. Trying again in ${wait} ${wait === 1 ? "second" : "seconds"}…`);
    return new Promise((resolve) => setTimeout(resolve, wait * 1000)).finally(() => showStatus(busyNotice, ""));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(Object.entries(fields).map(([name, { value }]) => [name, value()]));
    const problems = sentences(check(values));
    showErrors(problems, "");
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      await submit(values, { whenBusy: waitWhileBusy, form });
    } catch (error) {
      setBusy(false);
      showErrors(sentences(error.fields ?? {}, error), error.message);
    }
  });
  form.addEventListener("reset", () => {
    setBusy(false);
    showErrors({}, "");
  });
  return form;
}

/** What a page shows in place of a form that has done its work (or cannot): `text` (a paragraph for each string
 * when it is a list), and a link or a button ({text, onclick}) to go on with. `kind` "error" makes it an alert.
 * It takes the focus, since the form that had it is gone; returns it, for a page that replaces it in turn. */
export function showOutcome(form, { text, link, action, kind = "notice" }) {
  const [first, ...more] = [text].flat();
  const outcome = element("div", { className: `outcome ${kind}`, tabIndex: -1 }, [
    element("p", { role: kind === "error" ? "alert" : "status", textContent: first }),
    ...more.map((line) => element("p", { textContent: line })),
    ...(link ? [element("a", { className: "button primary", href: link.href, textContent: link.text })] : []),
    ...(action ? [element("button", { type: "button", className: "button primary", ...action })] : []),
  ]);
  form.replaceWith(outcome);
  outcome.focus();
  return outcome;
}
