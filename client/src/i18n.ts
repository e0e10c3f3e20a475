/** Languages the interface speaks. */
export type Locale = 'en' | 'zh-CN';

const en = {
  'app.title': 'Sign-language & voice support',
  'lang.switch': '中文',
  'precall.heading': 'Check your camera',
  'precall.hint': 'Make sure your hands and face are in the picture, with light on your face.',
  'precall.checking': 'Asking for camera and microphone…',
  'precall.ready': 'Camera and microphone ready.',
  'precall.mode': 'How do you want to talk?',
  'mode.csl': 'Chinese Sign Language',
  'mode.asl': 'American Sign Language',
  'mode.hksl': 'Hong Kong Sign Language',
  'mode.voice': 'Voice',
  'mode.text': 'Text only',
  'precall.topic': 'What do you need help with?',
  'precall.topicPlaceholder': 'e.g. my phone will not connect to Wi-Fi',
  'precall.device': 'Which device?',
  'precall.category': 'What kind of help?',
  'category.consultation': 'A question or advice',
  'category.software': 'Something does not work (software)',
  'category.hardware': 'Something is broken (hardware)',
  'device.phone': 'Phone',
  'device.tablet': 'Tablet',
  'device.laptop': 'Laptop',
  'device.watch': 'Watch',
  'device.smart-home': 'Smart home',
  'device.other': 'Other',
  'precall.start': 'Connect me to an agent',
  'precall.retry': 'Try the camera again',
  'deviceError.permission-denied': 'Camera or microphone access was refused. Allow it in the browser’s address bar, then try again. You can also continue with text only.',
  'deviceError.not-found': 'No camera or microphone was found. Plug one in and try again, or continue with text only.',
  'deviceError.in-use': 'Your camera or microphone is in use by another app. Close it and try again.',
  'deviceError.unsupported': 'This browser cannot use the camera here. Try a current Chrome, Edge, Firefox or Safari.',
  'deviceError.other': 'The camera could not start.',
  'queue.heading': 'Waiting for an agent',
  'queue.position': 'You are number {position} in line.',
  'queue.next': 'You are next.',
  'queue.ticket': 'Your ticket: {ticketId}',
  'queue.etaRange': 'Estimated wait: about {low}–{high} min.',
  'queue.etaUnder': 'Estimated wait: under a minute.',
  'queue.etaOpen': 'Estimated wait: more than {low} min. No agent for your language is online right now; we keep your place.',
  'queue.etaRough': '(a rough guide)',
  'queue.heldMinutes': 'If you lose the connection or reload this page, you keep your place for {n} min.',
  'queue.heldSeconds': 'If you lose the connection or reload this page, you keep your place for {n} seconds.',
  'queue.resuming': 'Reconnecting to your request…',
  'queue.lapsed': 'Your place in line was given up because the connection was lost for too long. You can ask for an agent again.',
  'ticket.ended': 'Your earlier request {ticketId} has ended. You can ask for an agent again.',
  'queue.leave': 'Leave the queue',
  'call.with': 'In a call with {name}',
  'call.mute': 'Mute',
  'call.unmute': 'Unmute',
  'call.cameraOff': 'Camera off',
  'call.cameraOn': 'Camera on',
  'call.hangup': 'Hang up',
  'call.connecting': 'Connecting video…',
  'call.peerSigning': '{name} is signing…',
  'call.peerReconnecting': '{name} lost the connection. Waiting for them to come back…',
  'role.customer': 'The customer',
  'role.agent': 'The agent',
  'role.technician': 'The technician',
  'agent.invite': 'Invite a technician',
  'agent.inviteAgent': 'Technician (username)',
  'agent.invited': 'Invitation sent.',
  'agent.invitation': '{from} asks you to join a call: {mode} · “{topic}”',
  'agent.join': 'Join the call',
  'ended.heading': 'The call has ended',
  'ended.ticket': 'Your ticket number is {ticketId}. Keep it to follow up.',
  'ended.again': 'Start a new request',
  'error.generic': 'Something went wrong: {message}',
  'error.disconnected': 'Connection lost. Reconnecting…',
  'agent.heading': 'Agent console',
  'agent.username': 'Username',
  'agent.password': 'Password',
  'agent.signIn': 'Sign in',
  'agent.signInFailed': 'Sign-in failed: {message}',
  'agent.status.available': 'Available',
  'agent.status.away': 'Away',
  'agent.status.offered': 'Incoming call',
  'agent.status.in-call': 'In a call',
  'agent.missed': 'You missed an offer. Set yourself available when you are ready.',
  'agent.suggestBreak': 'You have been signing for a long stretch. Consider a break: go away for a few minutes.',
  'agent.queueSummary': '{waiting} waiting · longest {longest} s',
  'agent.goAvailable': 'Go available',
  'agent.goAway': 'Go away',
  'agent.offer': 'Incoming call',
  'agent.offer.detail': '{mode} · {category} · {device} · “{topic}” · waited {waited} s',
  'agent.offer.deadline': 'Answer within {seconds} s',
  'agent.accept': 'Accept',
  'agent.decline': 'Decline',
  'agent.offerGone': 'The offer was withdrawn ({reason}).',
  'agent.end': 'End call',
  'agent.transfer': 'Transfer',
  'agent.transferTo': 'Transfer to queue',
  'agent.transferAgent': 'or to agent (username)',
  'agent.transferNote': 'Note for the next agent',
  'agent.offer.transfer': 'Transferred by {from}: “{note}”',
  'queue.name.technical': 'Technical support (tier 2)',
  'rtt.heading': 'Real-time text',
  'rtt.pathData': 'Each letter reaches the others as you type it (through the call’s data channel).',
  'rtt.pathSocket': 'Each letter reaches the others as you type it (through the service connection; the call’s data channel is not available).',
  'rtt.pathFailed': 'Your text could not be sent. Check the connection; what you type next is sent when it is back.',
  'rtt.nobodyYet': 'What the others type appears here, letter by letter.',
  'rtt.you': 'You type here (Enter starts a new line)',
  'chat.heading': 'Chat',
  'chat.label': 'Message',
  'chat.send': 'Send',
  'chat.you': 'You',
  'chat.mark.sending': 'sending…',
  'chat.mark.sent': '✓ sent',
  'chat.mark.delivered': '✓✓ delivered',
  'chat.mark.failed': 'not sent: check the connection and send it again',
  'canned.open': 'Replies (/)',
  'transcript.heading': 'Transcript',
  'transcript.kind.caption': 'caption',
  'transcript.kind.rtt': 'text',
  'transcript.kind.chat': 'chat',
  'transcript.kind.event': 'event',
  'transcript.event.joined': '{name} joined the call',
  'transcript.event.left': '{name} left the call',
  'transcript.event.technician-invited': '{name} invited a technician',
  'transcript.event.transferred': '{name} transferred the call',
  'transcript.event.ended': '{name} ended the call',
  'transcript.fileHeading': 'Transcript of support ticket {ticketId}',
  'transcript.save': 'Save the transcript (text file)',
  'transcript.print': 'Print the transcript',
  'precall.textOnly': 'Text only: no camera or microphone is needed. You and the agent type to each other; each letter appears as it is typed.',
  'queue.transferred': 'You are being passed to a colleague who can help further. You keep your place, ahead of new arrivals.',
};

type Key = keyof typeof en;

const zh: Record<Key, string> = {
  'app.title': '手语与语音客服',
  'lang.switch': 'English',
  'precall.heading': '检查摄像头',
  'precall.hint': '请让双手和面部都在画面中，面部光线充足。',
  'precall.checking': '正在请求摄像头和麦克风权限…',
  'precall.ready': '摄像头和麦克风已就绪。',
  'precall.mode': '您想用哪种方式交流？',
  'mode.csl': '中国手语',
  'mode.asl': '美国手语',
  'mode.hksl': '香港手语',
  'mode.voice': '语音',
  'mode.text': '仅文字',
  'precall.topic': '您需要什么帮助？',
  'precall.topicPlaceholder': '例如：手机连不上 Wi-Fi',
  'precall.device': '哪台设备？',
  'precall.category': '需要哪类帮助？',
  'category.consultation': '咨询或建议',
  'category.software': '功能不正常（软件）',
  'category.hardware': '设备损坏（硬件）',
  'device.phone': '手机',
  'device.tablet': '平板',
  'device.laptop': '笔记本电脑',
  'device.watch': '手表',
  'device.smart-home': '智能家居',
  'device.other': '其他',
  'precall.start': '为我接通客服',
  'precall.retry': '重新尝试摄像头',
  'deviceError.permission-denied': '摄像头或麦克风权限被拒绝。请在浏览器地址栏中允许后重试，或选择仅文字继续。',
  'deviceError.not-found': '未找到摄像头或麦克风。请连接设备后重试，或选择仅文字继续。',
  'deviceError.in-use': '摄像头或麦克风正被其他应用使用。请关闭该应用后重试。',
  'deviceError.unsupported': '此浏览器无法在此处使用摄像头。请使用新版 Chrome、Edge、Firefox 或 Safari。',
  'deviceError.other': '摄像头无法启动。',
  'queue.heading': '正在等待客服',
  'queue.position': '您排在第 {position} 位。',
  'queue.next': '下一位就是您。',
  'queue.ticket': '您的工单号：{ticketId}',
  'queue.etaRange': '预计等待：约 {low}–{high} 分钟。',
  'queue.etaUnder': '预计等待：不到一分钟。',
  'queue.etaOpen': '预计等待：超过 {low} 分钟。目前没有使用您所选语言的客服在线，我们会为您保留位置。',
  'queue.etaRough': '（仅供参考）',
  'queue.heldMinutes': '如果连接中断或刷新本页，您的位置会保留 {n} 分钟。',
  'queue.heldSeconds': '如果连接中断或刷新本页，您的位置会保留 {n} 秒。',
  'queue.resuming': '正在重新连接您的请求…',
  'queue.lapsed': '连接中断时间过长，您的排队位置已取消。您可以重新呼叫客服。',
  'ticket.ended': '您之前的请求 {ticketId} 已结束。您可以重新呼叫客服。',
  'queue.leave': '离开排队',
  'call.with': '正在与 {name} 通话',
  'call.mute': '静音',
  'call.unmute': '取消静音',
  'call.cameraOff': '关闭摄像头',
  'call.cameraOn': '打开摄像头',
  'call.hangup': '挂断',
  'call.connecting': '正在连接视频…',
  'call.peerSigning': '{name} 正在打手语…',
  'call.peerReconnecting': '{name} 的连接已中断，正在等待其重新连接…',
  'role.customer': '客户',
  'role.agent': '客服',
  'role.technician': '技术人员',
  'agent.invite': '邀请技术人员',
  'agent.inviteAgent': '技术人员（用户名）',
  'agent.invited': '邀请已发送。',
  'agent.invitation': '{from} 邀请您加入通话：{mode} · “{topic}”',
  'agent.join': '加入通话',
  'ended.heading': '通话已结束',
  'ended.ticket': '您的工单号是 {ticketId}，请保留以便后续跟进。',
  'ended.again': '发起新的请求',
  'error.generic': '出错了：{message}',
  'error.disconnected': '连接已断开，正在重新连接…',
  'agent.heading': '客服工作台',
  'agent.username': '用户名',
  'agent.password': '密码',
  'agent.signIn': '登录',
  'agent.signInFailed': '登录失败：{message}',
  'agent.status.available': '空闲',
  'agent.status.away': '离开',
  'agent.status.offered': '来电',
  'agent.status.in-call': '通话中',
  'agent.missed': '您错过了一个来电。准备好后请设为空闲。',
  'agent.suggestBreak': '您已连续打手语较长时间，建议休息几分钟：请设为离开。',
  'agent.queueSummary': '{waiting} 人等待 · 最长 {longest} 秒',
  'agent.goAvailable': '设为空闲',
  'agent.goAway': '设为离开',
  'agent.offer': '来电',
  'agent.offer.detail': '{mode} · {category} · {device} · “{topic}” · 已等待 {waited} 秒',
  'agent.offer.deadline': '请在 {seconds} 秒内接听',
  'agent.accept': '接听',
  'agent.decline': '拒绝',
  'agent.offerGone': '来电已撤回（{reason}）。',
  'agent.end': '结束通话',
  'agent.transfer': '转接',
  'agent.transferTo': '转接到队列',
  'agent.transferAgent': '或转接给客服（用户名）',
  'agent.transferNote': '给下一位客服的备注',
  'agent.offer.transfer': '由 {from} 转接：“{note}”',
  'queue.name.technical': '技术支持（二线）',
  'rtt.heading': '实时文字',
  'rtt.pathData': '您输入的每个字都会即时显示给对方（通过通话数据通道）。',
  'rtt.pathSocket': '您输入的每个字都会即时显示给对方（通过服务连接；通话数据通道不可用）。',
  'rtt.pathFailed': '文字未能发送。请检查网络；恢复连接后会继续发送。',
  'rtt.nobodyYet': '对方输入的文字会在这里逐字显示。',
  'rtt.you': '在这里输入（按回车换行）',
  'chat.heading': '聊天',
  'chat.label': '消息',
  'chat.send': '发送',
  'chat.you': '我',
  'chat.mark.sending': '发送中…',
  'chat.mark.sent': '✓ 已发送',
  'chat.mark.delivered': '✓✓ 已送达',
  'chat.mark.failed': '未发送：请检查网络后重新发送',
  'canned.open': '快捷回复 (/)',
  'transcript.heading': '通话记录',
  'transcript.kind.caption': '字幕',
  'transcript.kind.rtt': '文字',
  'transcript.kind.chat': '聊天',
  'transcript.kind.event': '事件',
  'transcript.event.joined': '{name} 加入了通话',
  'transcript.event.left': '{name} 离开了通话',
  'transcript.event.technician-invited': '{name} 邀请了技术人员',
  'transcript.event.transferred': '{name} 转接了通话',
  'transcript.event.ended': '{name} 结束了通话',
  'transcript.fileHeading': '工单 {ticketId} 的通话记录',
  'transcript.save': '保存通话记录（文本文件）',
  'transcript.print': '打印通话记录',
  'precall.textOnly': '仅文字：不需要摄像头和麦克风。您和客服互相输入文字，每个字在输入时即时显示。',
  'queue.transferred': '正在为您转接给能进一步帮助您的同事。您的位置会保留，并排在新来的客户之前。',
};

const dictionaries: Record<Locale, Record<Key, string>> = { en, 'zh-CN': zh };
const STORAGE_KEY = 'signline.locale';

/** The locale from a saved choice, else from the browser language. */
export function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let current: Locale = 'en';

/** Switches the interface language, remembers it, and re-renders every `data-i18n` element. */
export function setLocale(locale: Locale): void {
  current = locale;
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
  applyTranslations(document);
}

/** The current locale. */
export function locale(): Locale {
  return current;
}

/** Translates a key, filling `{name}` placeholders. */
export function t(key: Key, values: Record<string, string | number> = {}): string {
  return dictionaries[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

/** Whether a string is a translation key. */
export function isKey(key: string): key is Key {
  return key in en;
}

/** Fills every element carrying `data-i18n` (text) or `data-i18n-placeholder` with the current language. */
export function applyTranslations(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((element) => {
    const key = element.dataset.i18n!;
    if (isKey(key)) element.textContent = t(key, JSON.parse(element.dataset.i18nValues ?? '{}'));
  });
  root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach((element) => {
    const key = element.dataset.i18nPlaceholder!;
    if (isKey(key)) element.placeholder = t(key);
  });
}

/** Sets an element's text to a translated key, and keeps it translated when the language switches. */
export function translate(element: HTMLElement, key: Key, values: Record<string, string | number> = {}): void {
  element.dataset.i18n = key;
  element.dataset.i18nValues = JSON.stringify(values);
  element.textContent = t(key, values);
}
