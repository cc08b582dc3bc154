namespace RollbackKit.Telemetry;

/// <summary>
/// Every <c>[LoggerMessage]</c> of the core package. The methods are declared in partial files by area, each area
/// keeping to its own range of event ids so that no two messages share an id:
/// <list type="table">
/// <item><term>1–99</term><description>Hosting (<c>Log.Hosting.cs</c>)</description></item>
/// <item><term>100–199</term><description>Conditions, triggers, engine</description></item>
/// <item><term>200–299</term><description>Monitoring</description></item>
/// <item><term>300–349</term><description>Verification</description></item>
/// <item><term>400–499</term><description>Dispatch (admission, deduplication, kill switch)</description></item>
/// <item><term>500–549</term><description>Approval</description></item>
/// <item><term>600–699</term><description>Workflow</description></item>
/// <item><term>700–799</term><description>Playbooks and steps</description></item>
/// <item><term>800–899</term><description>Journal and evidence</description></item>
/// <item><term>900–949</term><description>Notifications</description></item>
/// <item><term>950–999</term><description>Operator actions (<c>Log.Operations.cs</c>)</description></item>
/// <item><term>1000–1099</term><description>Coordinated groups (<c>Log.Groups.cs</c>)</description></item>
/// <item><term>1100–1199</term><description>Canary judge (<c>Log.Judging.cs</c>)</description></item>
/// </list>
/// Adapter packages use their own ranges: Prometheus 2000–2999, Kubernetes 3000–3999, Helm 4000–4999, Slack 5000–5999,
/// PagerDuty 6000–6999, AspNetCore 7000–7999.
/// </summary>
internal static partial class Log
{
}
