"""The console: the pages people use in a browser, signed in with the stack's user pool and acting with their
roles (the API checks them; a page only reflects them). It starts with sign-in and the alert page that every
alert message's "View alert" link opens."""
