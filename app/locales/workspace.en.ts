import type { Shape } from "./namespaces";
import type zhCN from "./workspace.zh-CN";

/** English · the "workspace" area: the same keys as workspace.zh-CN.ts (the type checker refuses a missing one). */
const workspaceEn: Shape<typeof zhCN> = {
  dashboard: {
    title: "Hello, {{name}}",
    actingAs: "Acting as: {{role}} · {{org}}",
    noRole: "Your account has no role yet. Please contact the county administrator.",
    switchRole: "Switch role",
    switch: "Switch",
    whatYouDo: "What you can do",
    roleIntro: {
      county_admin: "Keep the county's rules, holiday calendar, standard templates and expert pool; read the whole county's audit trail and supervision figures.",
      supervisor: "Approve your township's village projects, admit contractors to the candidate pool, watch openings and evaluations live, and handle risk flags.",
      committee: "Register village projects with the evidence of the 4+2 procedure, submit them for approval, publish tender notices and host remote bid openings.",
      contractor: "Keep your company's details and qualifications, download tender documents, submit bids sealed in your browser, and decrypt your bid at the remote opening.",
      expert: "Receive evaluation assignments, declare conflicts, evaluate online and sign the report with your passkey.",
    },
    thresholds: "Mandatory-tendering thresholds in this county: works {{works}}, goods {{goods}}, services {{services}}.",
    villagesInTownship: "Villages in this township: {{villages}}",
  },
  notifications: {
    title: "Notifications",
    unreadCount: "{{count}} unread",
    allRead: "No unread notifications.",
    none: "No notifications yet.",
    markAll: "Mark all as read",
    markRead: "Mark as read",
    open: "Open",
    new: "new",
    kinds: {
      "tender.amended": "“{{project}}” published an amendment: {{title}}.",
      "tender.deadlineMoved": "“{{project}}” published an amendment ({{title}}); the bid deadline is now {{deadline}}.",
      "tender.answered": "“{{project}}” published a new answer to a question.",
      "tender.question": "“{{project}}” received a new question; please answer it.",
      "project.agentAppointed": "You were appointed tender agent for “{{project}}”.",
      "panel.assigned": "You were drawn for the evaluation panel of “{{project}}”; please declare any conflict of interest.",
      "evaluation.revealSecret": "The qualified list of “{{project}}” is locked: please reveal the draw secret.",
      "evaluation.failed": "Too few qualified bids on “{{project}}”: the tender has failed.",
      "evaluation.explain": "Most of the panel found your score on “{{project}}” abnormal: explain it in writing or accept its replacement.",
      "evaluation.opinion": "The result of “{{project}}” is computed: please give your opinion.",
      "evaluation.sign": "The evaluation report of “{{project}}” is ready for your signature.",
      "evaluation.clarify": "The panel asks your company a clarification question on “{{project}}”; please answer in time.",
      "publicity.started": "Candidate publicity for “{{project}}” has begun.",
      "publicity.objection": "There is a new objection or answer on “{{project}}”.",
      "publicity.complaint": "A complaint on “{{project}}” needs handling or has a new outcome.",
      "award.decided": "“{{project}}” has been awarded.",
      "award.approval": "The award of “{{project}}” (separate decision) awaits your approval.",
      "award.won": "Congratulations: your company won “{{project}}”. See the award notice.",
      "award.lost": "“{{project}}” has been awarded to another bidder; your bid security will be released on time.",
      "auth.locked":
        "After {{failures}} wrong passwords, password sign-in to your account from devices you have not used before is paused until {{until}}. If this was not you, change your password soon; meanwhile you can still sign in with a passkey, or with the right password on a device you signed in from before.",
      "opening.soon": "The opening hall for “{{project}}” opens at {{at}} (in 30 minutes): please be there and sign in.",
      "opening.decryption":
        "Decryption of “{{project}}” has started: decrypt your bid with your passkey or backup key before {{until}}; a bid not decrypted within the window through the bidder's own fault counts as revoked (its security may be kept); one the platform failed to open counts as withdrawn.",
      "company.qualificationExpiring":
        "{{company}}’s qualification “{{name}}” ({{number}}) expires on {{date}}: renew it and update it on the company page, or it cannot be used in bids after that day.",
      "company.memberReset":
        "The password of {{name}}, a member of {{company}}, was reset by an official with a reset code at {{at}}. For a while after this (the county’s set time, ending at the latest one hour before each deadline) that account cannot withdraw or replace the company’s bids, and passkeys added to it lately no longer work. If {{name}} did not ask for this, contact the township supervisor at once and tell {{name}} to check the account.",
    },
    settings: "How messages reach you (SMS, e-mail, WeChat)",
  },
};

export default workspaceEn;
