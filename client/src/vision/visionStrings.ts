import type { Locale } from '../i18n.js';
import type { FramingHint } from './FramingCheck.js';
import type { SigningState } from './SigningDetector.js';

const en = {
  'vision.loading': 'Starting the framing check…',
  'vision.unavailable': 'The framing check is not available in this browser. You can still continue.',
  'vision.ok': 'Your hands and face are in the picture.',
  'vision.okHandsOnly': 'Your hands are in the picture. This browser cannot check your face: keep it in the picture too.',
  'vision.hint.too-dark': 'The picture is too dark. Turn on a light or face a window.',
  'vision.hint.no-hands': 'We cannot see your hands. Hold them up in front of you, as if you were signing.',
  'vision.hint.face-not-visible': 'We cannot see your face. Facial expressions are part of signing: keep your face in the picture.',
  'vision.hint.hands-outside': 'Your hands go out of the picture. Move back a little, or move the camera.',
  'vision.signing.signing': 'Signing',
  'vision.signing.not-signing': 'Not signing',
};

/** A key of the framing check's strings. */
export type VisionKey = keyof typeof en;

const zh: Record<VisionKey, string> = {
  'vision.loading': '正在启动画面检查…',
  'vision.unavailable': '此浏览器无法进行画面检查。您仍然可以继续。',
  'vision.ok': '您的双手和面部都在画面中。',
  'vision.okHandsOnly': '您的双手在画面中。此浏览器无法检查面部，请同时让脸保持在画面中。',
  'vision.hint.too-dark': '画面太暗。请打开灯或面向窗户。',
  'vision.hint.no-hands': '看不到您的手。请像打手语时那样把双手举到身前。',
  'vision.hint.face-not-visible': '看不到您的脸。面部表情是手语的一部分，请让脸保持在画面中。',
  'vision.hint.hands-outside': '您的手移出了画面。请稍微后退，或调整摄像头。',
  'vision.signing.signing': '正在打手语',
  'vision.signing.not-signing': '未在打手语',
};

/** The framing check's strings in each interface language, in the same shape as the app's dictionaries. */
export const visionStrings: Record<Locale, Record<VisionKey, string>> = { en, 'zh-CN': zh };

/** The string key that explains a framing hint. */
export function hintKey(hint: FramingHint): VisionKey {
  return `vision.hint.${hint}`;
}

/** The string key that names a signing state. */
export function signingKey(state: SigningState): VisionKey {
  return `vision.signing.${state}`;
}

/** A framing check string in the given language. */
export function visionText(locale: Locale, key: VisionKey): string {
  return visionStrings[locale][key];
}
