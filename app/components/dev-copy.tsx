import { useTranslation } from "react-i18next";

export interface DevCopyMessage {
  id: string;
  channel: string;
  address: string;
  body: string;
  link: string | null;
}

/**
 * On a developer's machine with the development mailbox (no real transport), the page that just
 * sent a code shows what was sent — to the person who asked, nothing else. Never on a real installation.
 */
export function DevCopy({ messages }: { messages: DevCopyMessage[] | null | undefined }) {
  const { t } = useTranslation();
  if (!messages?.length) return null;
  return (
    <div className="notice warn stack" data-testid="dev-copy">
      <strong>{t("devCopy.title")}</strong>
      <small>{t("devCopy.intro")}</small>
      <ol className="list">
        {messages.map((m) => (
          <li key={m.id}>
            <strong>
              {t(`devCopy.channels.${m.channel}`)} → {m.address}
            </strong>
            <p className="prewrap">{m.body}</p>
            {m.link && (
              <p>
                <a href={m.link} className="prewrap">
                  {m.link}
                </a>
              </p>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
