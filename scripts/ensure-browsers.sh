#!/usr/bin/env bash
# The browser, story and end-to-end tests drive Debian's browsers, in three engines: Chromium, Firefox
# ESR (over WebDriver BiDi) and WebKitGTK (WebKitWebDriver opens its MiniBrowser, on an Xvfb display,
# since it has no headless mode). No test tool may download a browser.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
firefox="${FIREFOX_PATH:-/usr/bin/firefox-esr}"
webkit_driver="${WEBKIT_WEBDRIVER_PATH:-/usr/bin/WebKitWebDriver}"

present() { [ -x "$chromium" ] && [ -x "$firefox" ] && [ -x "$webkit_driver" ] && command -v Xvfb >/dev/null 2>&1; }
present && exit 0

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing Debian's Chromium, Firefox ESR, WebKitGTK's WebDriver and Xvfb for the browser tests…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium firefox-esr webkit2gtk-driver xvfb >/dev/null
  present && exit 0
fi
echo "The browser tests need Chromium at $chromium, Firefox ESR at $firefox, WebKitWebDriver at $webkit_driver and Xvfb." >&2
echo "Install them (Debian/Ubuntu: apt-get install chromium firefox-esr webkit2gtk-driver xvfb), or set CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_WEBDRIVER_PATH." >&2
exit 1
