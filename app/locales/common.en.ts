import type { Shape } from "./namespaces";
import type zhCN from "./common.zh-CN";

/** English · the "common" area: the same keys as common.zh-CN.ts (the type checker refuses a missing one). */
const commonEn: Shape<typeof zhCN> = {
  app: {
    name: "Cunyizhao",
    tagline: "Open tendering for village micro projects",
    footer: "Cunyizhao · online tendering, remote bid opening and electronic archives for village and township micro projects. All times are Beijing time.",
    skip: "Skip to content",
  },
  nav: {
    archives: "Archive",
    experts: "Experts",
    company: "Company",
    pool: "Candidate pool",
    notifications: "Notifications",
    notificationsUnread: " unread",
    label: "Main navigation",
    home: "Home",
    projects: "Projects",
    notices: "Tender notices",
    templates: "Templates",
    dashboard: "Dashboard",
    settings: "County rules",
    calendar: "Holiday calendar",
    audit: "Audit trail",
    account: "My account",
    login: "Log in",
    logout: "Log out",
    transparency: "Published audit heads",
  },
  roles: {
    agent: "Tender agent",
    county_admin: "County administrator",
    supervisor: "Township supervisor",
    committee: "Village committee",
    contractor: "Contractor",
    expert: "Evaluation expert",
    system: "System",
  },
  textSize: {
    large: "Large text",
  },
  devCopy: {
    title: "Development mode: the message just sent",
    intro: "A development or demo installation on this computer sends no SMS, e-mail or WeChat: what was just sent to this account is shown here. A real installation never shows this.",
    channels: { sms: "SMS", email: "E-mail", wechat: "WeChat" },
  },
  print: {
    qrLabel: "QR code of this page's online address",
    scan: "Scan to open the online original",
    verify: "The online page holds the signed opening record, evaluation result and award notice; download one and check it on the platform's \"Verify a signed file\" page.",
  },
  signature: { signing: "Signing…" },
  upload: {
    progress: "Uploading… {{percent}}%",
    done: "Uploaded: {{name}}",
    retrying: "Connection lost; resuming from {{percent}}% in {{seconds}} s…",
    waiting: "The form will be sent as soon as the upload finishes.",
    gaveUp: "The connection is too poor; the upload has paused. Choose the file again to resume where it stopped, or submit to send it with the form.",
    refused: "Upload not accepted: {{reason}}",
  },
  project: {
    states: {
      draft: "Draft",
      submitted: "Awaiting township approval",
      returned: "Returned",
      approved: "Approved",
      published: "Tendering",
      opening: "Opening",
      evaluating: "Under evaluation",
      publicity: "In publicity",
      awarded: "Awarded",
      completed: "Completed",
      failed: "Failed tender",
      cancel_requested: "Cancellation requested",
      cancelled: "Cancelled",
    },
    types: { works: "Works", goods: "Goods", services: "Services" },
  },
  settings: {
    units: {
      fen: "yuan",
      days: "days",
      workingDays: "working days",
      months: "months",
      years: "years",
      minutes: "minutes",
      hours: "hours",
      count: "",
      basisPoints: "%",
      ratio: "(a fraction, e.g. 2/3)",
      boolean: "",
    },
  },
  errors: {
    page: {
      unexpected: "Something went wrong. Please try again later.",
      forbidden: "Access denied",
      need: {
        panel: "an expert drawn for this tender, its tenderer or the township supervisor",
        evaluation: "a member of this tender's panel, its tenderer or the township supervisor",
        award: "this tender's tenderer or the township supervisor",
        own_membership: "the account holder",
      },
      needRole: "This page needs one of these roles: {{roles}}.",
      notFound: "Page not found",
      backHome: "Back to home",
    },
  },
};

export default commonEn;
