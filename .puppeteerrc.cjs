// Nashra never downloads a browser: WhatsApp runs on the system's Chromium
// (apt-get install chromium), found through CHROME_PATH or PUPPETEER_EXECUTABLE_PATH.
module.exports = { skipDownload: true };
