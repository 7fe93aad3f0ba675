// Where a sign-in goes afterwards: a page that needs a signed-in person sends them to /login?next=<its path>, and
// the sign-in and registration pages go there once they are done. `next` is read from the address bar, which
// anyone can write a link to, so only a path on this site is followed: never another site, a scheme or a
// protocol-relative `//host` that would turn the sign-in page into an open redirect.

/** `candidate` itself when it is a path on this origin ("/consent?request=…"), else null. It must start with one
 * "/" (not "//" nor "/\", which browsers read as another host) and hold no backslash or control character (the
 * URL parser drops tabs and newlines, so "/\t/host" would become "//host"); parsed against this origin, it must
 * stay here. It is returned as written, not as parsed: the parsed path of "/..//host" is "//host", another host
 * once it is navigated to, while the written one is a path of this site. */
export function sameOriginPath(candidate) {
  if (typeof candidate !== "string" || !/^\/(?![/\\])/.test(candidate) || /[\\\u0000-\u001f\u007f]/.test(candidate)) {
    return null;
  }
  return new URL(candidate, location.origin).origin === location.origin ? candidate : null;
}

/** The page to go to after signing in: this page's `?next=` when it is a path on this site, else the chat. */
export function nextPath() {
  return sameOriginPath(new URLSearchParams(location.search).get("next")) ?? "/";
}

/** `page` ("/login", "/register") with `?next=path`, or plain `page` when `path` is the chat, where a sign-in goes
 * anyway. */
export function withNext(page, path) {
  return path === "/" ? page : `${page}?${new URLSearchParams({ next: path })}`;
}
