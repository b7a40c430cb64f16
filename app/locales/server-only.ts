/**
 * Texts only the server renders: messages sent out of the app (SMS, e-mail, WeChat) and the pages
 * that ship no script (hydrate: false) — message settings, forgot password, the development mailbox.
 * They are merged into the catalogues on the server (i18n-catalogues.server.ts) and never sent to
 * the browser, whose catalogue stays small (bench/page-weight.ts). tests/unit/i18n.test.ts checks
 * that only such files use them.
 */
const zhCN = {
  kindNames: {
    "tender.amended": "澄清修改",
    "tender.deadlineMoved": "截止时间变更",
    "tender.answered": "答疑答复",
    "tender.question": "新的提问",
    "project.agentAppointed": "委托招标代理",
    "panel.assigned": "被抽取为评审专家",
    "evaluation.revealSecret": "公开随机数秘密值",
    "evaluation.failed": "评标流标",
    "evaluation.explain": "评分异常需说明",
    "evaluation.opinion": "评标结果待表态",
    "evaluation.sign": "评标报告待签名",
    "evaluation.clarify": "评审澄清待答复",
    "publicity.started": "中标候选人公示",
    "publicity.objection": "异议及答复",
    "publicity.complaint": "投诉及处理",
    "award.decided": "已定标",
    "award.approval": "定标待审核",
    "award.won": "中标通知",
    "award.lost": "未中标通知",
    "auth.locked": "账号安全：密码登录暂停",
    "opening.soon": "开标大厅 30 分钟后开启",
    "opening.decryption": "开标解密开始",
    "company.qualificationExpiring": "资质证书即将到期",
    "company.memberReset": "账号安全：企业成员的密码已由监管人员重置",
  },
  outbox: {
    subject: "村易招：{{what}}",
    codeNames: {
      "auth.resetCode": "重置密码验证码",
      "auth.stepUpCode": "身份确认验证码",
    },
    codes: {
      "auth.resetCode": "您正在重置村易招密码，验证码 {{code}}，{{minutes}} 分钟内有效，仅能使用一次。如非本人操作，请忽略并留意账号安全。",
      "auth.stepUpCode": "您正在更换村易招通行密钥或进行其他须再次确认身份的操作，验证码 {{code}}，{{minutes}} 分钟内有效。如非本人操作，请立即修改密码并联系乡镇监管员。",
    },
    title: "消息接收设置",
    intro: "站内通知之外，平台还会通过短信、电子邮件和微信提醒您。您可以按消息类别关闭某个渠道；涉及法定期限的消息（异议、投诉、澄清答复、开标解密）和账号安全消息不能关闭。",
    backToNotifications: "返回通知",
    contactTitle: "接收方式",
    email: "电子邮箱（可不填）",
    wechat: "微信 OpenID（可不填）",
    wechatHint: "关注县公共资源交易公众号后，在菜单“我的 → 绑定村易招”中获取，复制到这里。",
    saveContact: "保存接收方式",
    line: "{{channel}}：{{value}}",
    channelOn: "已开通",
    channelOff: "本平台未开通此渠道",
    channelNoAddress: "未填写地址",
    prefsTitle: "按类别选择渠道",
    prefsIntro: "勾选表示通过该渠道提醒您。站内通知始终保留。",
    kind: "消息类别",
    locked: "不可关闭",
    savePrefs: "保存选择",
    sentTitle: "最近发出的消息",
    noneSent: "还没有向您发出过消息。",
    status: {
      pending: "待发送",
      sent: "已发送",
      failed: "发送失败",
    },
    attempts_one: "已尝试 {{count}} 次",
    attempts_other: "已尝试 {{count}} 次",
    contactSaved: "接收方式已保存。",
    prefsSaved: "选择已保存。",
  },
  channels: {
    sms: "短信",
    email: "电子邮件",
    wechat: "微信",
  },
  forgot: {
    title: "忘记密码",
    intro:
      "输入注册时的手机号，我们会把 6 位验证码（和一个重置链接）发到您的短信，以及您填写过的邮箱和微信。验证码 15 分钟内有效，只能使用一次。同一网络下每个手机号每小时最多申请 3 次；从您没有用过的设备申请，每个手机号每小时最多 5 次。",
    submit: "发送验证码",
    sent: "如果该手机号已注册，验证码已发出，请查收短信（或邮件、微信），然后点下面的链接设置新密码。",
    haveCode: "已有验证码或重置码？去设置新密码",
    noChannelTitle: "收不到验证码？",
    noChannel: "请携带身份证件（企业另带营业执照）找乡镇监管员（投标企业、村委会和代理机构）或县管理员（评审专家、监管员），核验身份后可领取一次性重置码。",
  },
  devMailbox: {
    title: "开发邮箱",
    intro: "这是本机开发和演示环境的消息出口：发给您的短信、邮件和微信消息不真正发出，而是显示在这里，只有您本人能看到。正式部署时此页不存在。",
    none: "还没有消息。",
  },
};

const en: Shape<typeof zhCN> = {
  kindNames: {
    "tender.amended": "Tender amended",
    "tender.deadlineMoved": "Deadline moved",
    "tender.answered": "Question answered",
    "tender.question": "New question",
    "project.agentAppointed": "Appointed as agent",
    "panel.assigned": "Drawn for a panel",
    "evaluation.revealSecret": "Reveal the draw secret",
    "evaluation.failed": "Evaluation failed",
    "evaluation.explain": "Score needs explaining",
    "evaluation.opinion": "Give your opinion on the result",
    "evaluation.sign": "Report awaits your signature",
    "evaluation.clarify": "Clarification requested",
    "publicity.started": "Publicity started",
    "publicity.objection": "Objections and answers",
    "publicity.complaint": "Complaints and decisions",
    "award.decided": "Award decided",
    "award.approval": "Award awaits approval",
    "award.won": "You won",
    "award.lost": "Not awarded",
    "auth.locked": "Account security: password sign-in paused",
    "opening.soon": "Opening hall opens in 30 minutes",
    "opening.decryption": "Decryption has started",
    "company.qualificationExpiring": "Qualification expiring",
    "company.memberReset": "Account security: an official reset a member's password",
  },
  outbox: {
    subject: "村易招: {{what}}",
    codeNames: {
      "auth.resetCode": "Password reset code",
      "auth.stepUpCode": "Identity confirmation code",
    },
    codes: {
      "auth.resetCode":
        "You are resetting your 村易招 password. Your code is {{code}}; it works once, for {{minutes}} minutes. If this was not you, ignore this message and keep an eye on your account.",
      "auth.stepUpCode":
        "You are changing the passkeys of your 村易招 account, or doing something else that needs you to confirm it is you. Your code is {{code}}; it works for {{minutes}} minutes. If this was not you, change your password now and contact your township supervisor.",
    },
    title: "How messages reach you",
    intro:
      "Besides the notices in the app, the platform tells you by SMS, e-mail and WeChat. You can switch a channel off for a kind of message; messages about a legal deadline (objections, complaints, clarifications, decryption) and account security cannot be switched off.",
    backToNotifications: "Back to notifications",
    contactTitle: "Where to reach you",
    email: "E-mail address (optional)",
    wechat: "WeChat OpenID (optional)",
    wechatHint: "Follow the county's public resources trading account, open “Me → Link 村易招” in its menu and copy the ID shown here.",
    saveContact: "Save",
    line: "{{channel}}: {{value}}",
    channelOn: "on",
    channelOff: "not offered on this installation",
    channelNoAddress: "no address given",
    prefsTitle: "Channels by kind of message",
    prefsIntro: "A ticked box means you are told through that channel. Notices in the app are always kept.",
    kind: "Kind of message",
    locked: "always on",
    savePrefs: "Save choices",
    sentTitle: "Messages sent lately",
    noneSent: "No message has been sent to you yet.",
    status: {
      pending: "waiting",
      sent: "sent",
      failed: "failed",
    },
    attempts_one: "{{count}} attempt",
    attempts_other: "{{count}} attempts",
    contactSaved: "Saved.",
    prefsSaved: "Your choices are saved.",
  },
  channels: {
    sms: "SMS",
    email: "E-mail",
    wechat: "WeChat",
  },
  forgot: {
    title: "Forgot your password",
    intro:
      "Enter the mobile number you registered with: we send a six-digit code (and a reset link) by SMS, and to the e-mail and WeChat you gave us. The code works once, for 15 minutes. Each number can ask three times an hour from one network, and five times an hour in all from devices you have not used before.",
    submit: "Send the code",
    sent: "If this number is registered, the code is on its way: look at your SMS (or e-mail, WeChat), then follow the link below to set a new password.",
    haveCode: "Have a code? Set a new password",
    noChannelTitle: "No code arriving?",
    noChannel:
      "Take your identity card (and, for a company, its business licence) to the township supervisor (contractors, village committees and agents) or the county administrator (experts, supervisors): after checking who you are they give you a one-time reset code.",
  },
  devMailbox: {
    title: "Development mailbox",
    intro:
      "On a development or demo installation on this computer, the SMS, e-mail and WeChat messages meant for you are not sent but shown here, to you alone. A real installation has no such page.",
    none: "No messages yet.",
  },
};

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };

/** Top-level keys of these texts. */
export const SERVER_ONLY_SECTIONS = Object.keys(zhCN);

export const serverOnlyCatalogues = { "zh-CN": zhCN, en } as const;
