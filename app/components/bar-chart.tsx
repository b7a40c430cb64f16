import { useTranslation } from "react-i18next";

/**
 * A horizontal bar chart drawn on the server as inline SVG: no script, no
 * library, readable on a 360 px phone. Each bar carries its value as text and
 * each series has its own fill pattern (solid, hatched, dotted) named in the
 * legend, so colour never carries the meaning alone; the same numbers follow
 * in a table for screen readers and for anyone who prefers to read them.
 */
export interface BarSeries {
  label: string;
}

export interface BarGroup {
  label: string;
  /** One value per series, with the text shown beside the bar and in the table. */
  values: { value: number; text: string }[];
}

const WIDTH = 320;
const LABEL_H = 16;
const VALUE_W = 76;
const BAR_H = 14;
const BAR_GAP = 3;
const GROUP_GAP = 10;
const PAD = 4;
const INK = ["#0969da", "#1a7f37", "#9a6700"];
const PATTERNS = ["solid", "hatch", "dots"] as const;

function Fill({ id, index }: { id: string; index: number }) {
  const ink = INK[index % INK.length];
  const kind = PATTERNS[index % PATTERNS.length];
  if (kind === "hatch")
    return (
      <pattern id={`${id}-p${index}`} patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
        <rect width="6" height="6" fill="#fff" />
        <rect width="3" height="6" fill={ink} />
      </pattern>
    );
  if (kind === "dots")
    return (
      <pattern id={`${id}-p${index}`} patternUnits="userSpaceOnUse" width="5" height="5">
        <rect width="5" height="5" fill="#fff" />
        <circle cx="2.5" cy="2.5" r="1.6" fill={ink} />
      </pattern>
    );
  return null;
}

const fillOf = (id: string, index: number) => (PATTERNS[index % PATTERNS.length] === "solid" ? INK[index % INK.length] : `url(#${id}-p${index})`);

/** Shorten a label wider than the chart (each label has its own line above its bars); the table keeps it whole. */
function fit(label: string): string {
  let width = 0;
  let out = "";
  for (const ch of label) {
    width += /[\u0000-\u00ff]/.test(ch) ? 7 : 12;
    if (width > WIDTH - 12) return `${out}…`;
    out += ch;
  }
  return out;
}

export function BarChart({
  id,
  title,
  description,
  series,
  groups,
  firstColumn,
}: {
  id: string;
  title: string;
  description?: string;
  series: BarSeries[];
  groups: BarGroup[];
  firstColumn: string;
}) {
  const { t } = useTranslation();
  const max = Math.max(0, ...groups.flatMap((g) => g.values.map((v) => v.value)));
  const groupH = LABEL_H + series.length * BAR_H + (series.length - 1) * BAR_GAP;
  const height = PAD * 2 + groups.length * groupH + Math.max(0, groups.length - 1) * GROUP_GAP;
  const barMax = WIDTH - VALUE_W;
  return (
    <figure className="chart" data-testid={`chart-${id}`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {series.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {series.map((s, i) => (
            <li key={s.label}>
              <svg width="18" height="12" viewBox="0 0 18 12">
                <defs>
                  <Fill id={`${id}-lg`} index={i} />
                </defs>
                <rect width="18" height="12" fill={fillOf(`${id}-lg`, i)} stroke={INK[i % INK.length]} />
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
      )}
      {groups.length === 0 ? (
        <p className="muted">{t("supervision.chart.empty")}</p>
      ) : (
        <svg
          className="chart-svg"
          role="img"
          aria-labelledby={`${id}-title${description ? ` ${id}-desc` : ""}`}
          viewBox={`0 0 ${WIDTH} ${height}`}
          width="100%"
          preserveAspectRatio="xMinYMin meet"
        >
          {description && <desc id={`${id}-desc`}>{description}</desc>}
          <defs>
            {series.map((s, i) => (
              <Fill key={s.label} id={id} index={i} />
            ))}
          </defs>
          <line x1={0.5} x2={0.5} y1={0} y2={height} stroke="#d0d7de" />
          {groups.map((g, gi) => {
            const top = PAD + gi * (groupH + GROUP_GAP);
            return (
              <g key={`${g.label}-${gi}`}>
                <text x={0} y={top + LABEL_H - 4} fontSize="12" fill="#1f2328">
                  <title>{g.label}</title>
                  {fit(g.label)}
                </text>
                {g.values.map((v, si) => {
                  const y = top + LABEL_H + si * (BAR_H + BAR_GAP);
                  const w = max > 0 ? Math.max(v.value > 0 ? 1 : 0, Math.round((v.value / max) * barMax)) : 0;
                  return (
                    <g key={si}>
                      {w > 0 && <rect x={1} y={y} width={w} height={BAR_H} fill={fillOf(id, si)} stroke={INK[si % INK.length]} strokeWidth="1" />}
                      <text x={w + 5} y={y + BAR_H / 2} dominantBaseline="central" fontSize="11" fill="#1f2328">
                        {v.text}
                      </text>
                    </g>
                  );
                })}
              </g>
            );
          })}
        </svg>
      )}
      {groups.length > 0 && (
        <details className="chart-table">
          <summary>{t("supervision.chart.table")}</summary>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{firstColumn}</th>
                  {series.map((s) => (
                    <th key={s.label} scope="col">
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {groups.map((g, gi) => (
                  <tr key={`${g.label}-${gi}`}>
                    <th scope="row">{g.label}</th>
                    {g.values.map((v, si) => (
                      <td key={si}>{v.text}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
