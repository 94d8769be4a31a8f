//! Sign-in and token flows: `login` (authorization code + PKCE), `token`, `logout`.
