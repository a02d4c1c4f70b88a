import { type Overview, request } from '../api';
import { ErrorText, Loading, UserText, useLoad } from '../components/ui';
import { formatTime } from '../format';
import { href } from '../router';

const REFRESH_MS = 5000;

function rate(value: number): string {
  return value >= 10 ? value.toFixed(0) : value.toFixed(2).replace(/\.?0+$/, '') || '0';
}

export function OverviewPage() {
  const overview = useLoad(() => request<Overview>('GET', '/overview'), [], REFRESH_MS);
  return (
    <section aria-labelledby="overview-title">
      <div class="title-row">
        <h1 id="overview-title">Overview</h1>
        <p class="hint" role="status">
          {overview.data ? `Updated ${formatTime(overview.data.generated_at)}; refreshes every ${REFRESH_MS / 1000} s` : ''}
        </p>
      </div>
      <ErrorText error={overview.error} />
      {!overview.data && overview.loading && <Loading label="Loading the overview…" />}
      {overview.data && <OverviewFigures overview={overview.data} />}
    </section>
  );
}

function OverviewFigures({ overview }: { overview: Overview }) {
  const steps = overview.attempts_per_second;
  // The last minute: six steps of 10 s, the current one included.
  const lastMinute = steps.slice(-6);
  const perSecond = lastMinute.reduce((sum, step) => sum + step.succeeded + step.failed, 0) / Math.max(1, lastMinute.length);
  const disabled = overview.disabled_destinations;
  return (
    <>
      <div class="cards">
        <div class="card" data-testid="pending">
          <span class="figure">{overview.pending}</span>
          <span class="label">pending deliveries</span>
        </div>
        <div class={`card ${overview.failed ? 'card-bad' : ''}`} data-testid="failed">
          <span class="figure">{overview.failed}</span>
          <span class="label">failed deliveries</span>
        </div>
        <div class="card" data-testid="rate">
          <span class="figure">{rate(perSecond)}</span>
          <span class="label">delivery attempts per second (last minute)</span>
        </div>
        <div class={`card ${disabled.count ? 'card-bad' : ''}`} data-testid="disabled">
          <span class="figure">{disabled.count}</span>
          <span class="label">auto-disabled destinations</span>
        </div>
      </div>

      <h2>Delivery attempts per second, last {Math.round((steps.length * 10) / 60)} minutes</h2>
      <RateChart steps={steps} />

      <h2>Auto-disabled destinations</h2>
      {disabled.count === 0 ? (
        <p>None: every destination that failed long enough to be disabled automatically is listed here.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Destinations disabled automatically, most recent first</caption>
          <thead>
            <tr>
              <th scope="col">Destination</th>
              <th scope="col">Why</th>
              <th scope="col">Since</th>
              <th scope="col">Account</th>
            </tr>
          </thead>
          <tbody>
            {disabled.data.map((destination) => (
              <tr key={destination.destination_id}>
                <td class="break">
                  <span class="method">{destination.http_method}</span> <UserText text={destination.url} />
                </td>
                <td class="break">{destination.disabled_reason === null ? '' : <UserText text={destination.disabled_reason} />}</td>
                <td>{formatTime(destination.disabled_at)}</td>
                <td>
                  <a href={href.account(destination.account_id)}>open the account</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {disabled.count > disabled.data.length && <p class="hint">The {disabled.data.length} most recent of {disabled.count}.</p>}
    </>
  );
}

/** Stacked bars, succeeded below failed, one per 10 s; the same figures as a table for screen readers. */
function RateChart({ steps }: { steps: Overview['attempts_per_second'] }) {
  const width = 1000;
  const height = 120;
  const peak = Math.max(0, ...steps.map((step) => step.succeeded + step.failed));
  const max = peak || 1;
  const slot = width / Math.max(1, steps.length);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label="Delivery attempts per second, every 10 seconds">
        {steps.map((step, index) => {
          const ok = (step.succeeded / max) * height;
          const bad = (step.failed / max) * height;
          const x = index * slot + 2;
          const start = new Date(step.start);
          return (
            <g key={step.start}>
              <rect class="bar-ok" x={x} y={height - ok} width={slot - 4} height={ok} />
              <rect class="bar-bad" x={x} y={height - ok - bad} width={slot - 4} height={bad} />
              {start.getSeconds() === 0 && (
                <text x={x} y={height + 15}>
                  {start.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        Peak {rate(peak)} per second. <span class="legend-ok">Succeeded</span> <span class="legend-bad">failed</span> (non-2xx, timeout or
        connection error).
      </figcaption>
      <details>
        <summary>As a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">Succeeded per second</th>
              <th scope="col">Failed per second</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((step) => (
              <tr key={step.start}>
                <td>{formatTime(step.start)}</td>
                <td>{rate(step.succeeded)}</td>
                <td>{rate(step.failed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
