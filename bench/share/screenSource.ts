/**
 * The screen the customer shares in bench:share: a page of support text on a 1280x720 canvas, with a pointer that
 * moves across it the way a customer's mouse does (so the screen changes every frame, as a real one in use does).
 * Chromium's fake display capture draws a test pattern, not a page, so the bench puts this in its place: the page's
 * getDisplayMedia returns the canvas's track, marked as a screen the way Chromium marks a display capture
 * (contentHint 'detail', which makes WebRTC encode it as screen content). Everything after that is the product's code.
 */

/** The shared page's text, one string per line; the OCR of what the technician receives is scored against it. */
export const SCREEN_TEXT: readonly string[] = [
  'Wi-Fi settings - Network and Internet',
  'Your phone is connected to HomeNet-5G but has no internet access.',
  'Step 1. Open Settings, then tap Network and Internet.',
  'Step 2. Tap Wi-Fi and hold the name of your network for two seconds.',
  'Step 3. Choose Forget network, then join it again with your password.',
  'Step 4. If it still fails, restart the router and wait one minute.',
  'IP address: 192.168.1.37    Gateway: 192.168.1.1    DNS: automatic',
  'Signal strength: good    Frequency: 5 GHz    Security: WPA3 Personal',
  'Private DNS is set to: off. Proxy: none. Metered: detect automatically.',
  'Last error: DHCP lease expired at 14:32, renewal failed (code 0x2F).',
  'Airplane mode is off. Mobile data is on. Data saver is off.',
  'Software version 14.2.1 build 2291, security patch November 2026.',
  'Tip: restarting the phone clears most temporary connection problems.',
  'Contact support with ticket SL-48213 if the problem continues.',
];

/**
 * Width and height of the shared screen, pixels: a 720p laptop screen. A 1080-line one, tried first, kept both pages'
 * Chromium CPU-bound on this 2-core machine (the sharer's own send estimate fell with it), which measured the CPU,
 * not the network.
 */
export const SCREEN_SIZE = { width: 1280, height: 720 } as const;
/** Frames per second the canvas is drawn at: the product's screen capture rate. */
export const SCREEN_FPS = 20;

/**
 * The script run in the customer's page before it loads: replaces getDisplayMedia with the canvas's track. The page is
 * drawn once; each frame repaints only around the moving pointer, as a compositor does, so drawing costs the sharing
 * page little and the encoder sees what a real screen in use gives it.
 */
export function screenSourceScript(lines: readonly string[] = SCREEN_TEXT): string {
  return `(() => {
    const lines = ${JSON.stringify(lines)};
    const size = ${JSON.stringify(SCREEN_SIZE)};
    navigator.mediaDevices.getDisplayMedia = async () => {
      const page = document.createElement('canvas');
      page.width = size.width;
      page.height = size.height;
      const background = page.getContext('2d');
      background.fillStyle = '#ffffff';
      background.fillRect(0, 0, size.width, size.height);
      background.fillStyle = '#1a1a1a';
      // Laid out for 1080 lines and scaled: 22-pixel body text there, 15 here, as a 720p laptop shows it.
      const k = size.height / 1080;
      background.font = '600 ' + Math.round(30 * k) + 'px sans-serif';
      background.fillText(lines[0], 120 * k, 110 * k);
      background.font = Math.round(22 * k) + 'px sans-serif';
      lines.slice(1).forEach((line, i) => background.fillText(line, 120 * k, (190 + i * 56) * k));
      const canvas = document.createElement('canvas');
      canvas.width = size.width;
      canvas.height = size.height;
      const context = canvas.getContext('2d');
      context.drawImage(page, 0, 0);
      let frame = 0;
      let last = null;
      const draw = () => {
        // The customer's mouse, drifting across the page.
        const x = Math.round((200 + ((frame * 9) % 1500)) * size.height / 1080);
        const y = Math.round((930 + 40 * Math.sin(frame / 15)) * size.height / 1080);
        if (last) context.drawImage(page, last.x - 2, last.y - 2, 26, 34, last.x - 2, last.y - 2, 26, 34);
        context.fillStyle = '#000000';
        context.beginPath();
        context.moveTo(x, y);
        context.lineTo(x, y + 28);
        context.lineTo(x + 8, y + 21);
        context.lineTo(x + 19, y + 21);
        context.closePath();
        context.fill();
        last = { x, y };
        frame++;
      };
      draw();
      setInterval(draw, ${Math.round(1000 / SCREEN_FPS)});
      const track = canvas.captureStream(${SCREEN_FPS}).getVideoTracks()[0];
      track.contentHint = 'detail';
      return new MediaStream([track]);
    };
  })();`;
}
