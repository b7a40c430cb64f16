/** 简体中文 · the "workspace" area (app/locales/namespaces.ts says which page loads what). */
const workspaceZhCN = {
  dashboard: {
    title: "{{name}}，您好",
    actingAs: "当前身份：{{role}} · {{org}}",
    noRole: "您的账户尚未分配角色，请联系县级管理员。",
    switchRole: "切换身份",
    switch: "切换",
    whatYouDo: "您可以做什么",
    roleIntro: {
      county_admin: "维护本县的规则设置、节假日日历、示范文本和专家库，查看全县的审计日志和监督数据。",
      supervisor: "审核本乡镇村级项目，审查入库企业，在线监督开标和评标，处理风险提示。",
      committee: "登记村级项目并上传“四议两公开”材料，提交乡镇审核，发布招标公告，主持不见面开标。",
      contractor: "维护企业资料和资质，下载招标文件，在线加密投标，参加不见面开标并解密本单位投标文件。",
      expert: "接收评标任务，声明回避情况，在线评审并用通行密钥签署评标报告。",
    },
    thresholds: "本县依法必须招标的限额：施工 {{works}}、货物 {{goods}}、服务 {{services}}。",
    villagesInTownship: "本乡镇的村：{{villages}}",
  },
  notifications: {
    title: "通知",
    unreadCount: "{{count}} 条未读",
    allRead: "没有未读通知。",
    none: "暂无通知。",
    markAll: "全部标为已读",
    markRead: "标为已读",
    open: "查看",
    new: "新",
    kinds: {
      "tender.amended": "“{{project}}”发布了澄清修改：{{title}}。",
      "tender.deadlineMoved": "“{{project}}”发布了澄清修改（{{title}}），投标截止时间改为 {{deadline}}。",
      "tender.answered": "“{{project}}”有新的答疑答复。",
      "tender.question": "“{{project}}”收到一条新提问，请及时答复。",
      "project.agentAppointed": "您被委托为“{{project}}”的招标代理。",
      "panel.assigned": "您被抽取为“{{project}}”的评审专家，请及时声明是否存在利害关系。",
      "evaluation.revealSecret": "“{{project}}”的合格投标人名单已锁定，请公开随机数秘密值。",
      "evaluation.failed": "“{{project}}”合格投标不足，评标结束，项目流标。",
      "evaluation.explain": "您对“{{project}}”的评分被多数成员认为异常，请书面说明或接受替代。",
      "evaluation.opinion": "“{{project}}”的评标结果已计算，请表明意见。",
      "evaluation.sign": "“{{project}}”的评标报告已生成，请签名。",
      "evaluation.clarify": "评审小组就“{{project}}”向贵单位提出澄清问题，请在期限内答复。",
      "publicity.started": "“{{project}}”中标候选人公示开始。",
      "publicity.objection": "“{{project}}”有新的异议或答复。",
      "publicity.complaint": "“{{project}}”有投诉需要处理或有新的处理结果。",
      "award.decided": "“{{project}}”已定标。",
      "award.approval": "“{{project}}”的定标结果（评定分离）等待您审核。",
      "award.won": "恭喜！贵单位中标“{{project}}”，请查看中标通知书。",
      "award.lost": "“{{project}}”已定标，贵单位未中标；投标保证金将按期退还。",
      "auth.locked":
        "您的账号因 {{failures}} 次密码错误，在未登录过的设备上的密码登录已暂停至 {{until}}。若不是您本人操作，请尽快修改密码；在此期间仍可用通行密钥登录，或在以前登录过的设备上输入正确密码登录。",
      "opening.soon": "“{{project}}”的开标大厅将于 {{at}} 开启（30 分钟后），请准时进入并签到。",
      "opening.decryption":
        "“{{project}}”已开始解密，请在 {{until}} 前用通行密钥或备用密钥解密您的投标。因投标人原因未在解密时限内解密的，视为撤销其投标文件；因平台原因未能解密的，视为撤回。",
      "company.qualificationExpiring": "{{company}} 的资质证书“{{name}}”（{{number}}）将于 {{date}} 到期，请及时办理延续并在企业信息页更新，否则到期后不能用于投标。",
      "company.memberReset":
        "{{company}} 的成员 {{name}} 的账号密码已于 {{at}} 由监管人员凭重置码重置。此后一段时间内（县里规定的时限，最迟到各截止时间前 1 小时），该账号不能撤回或替换本企业的投标；此前新添加的通行密钥已失效。如果不是 {{name}} 本人申请的，请立即联系乡镇监管人员并提醒本人核对账号。",
    },
    settings: "消息接收设置（短信、邮件、微信）",
  },
};

export default workspaceZhCN;
