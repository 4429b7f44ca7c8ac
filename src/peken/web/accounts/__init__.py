"""The sign-in, sign-up and password-code pages, and the city admin's roster upload (URL names
without a namespace: `login`, `logout`, `sign-up`, … in peken.urls)."""
