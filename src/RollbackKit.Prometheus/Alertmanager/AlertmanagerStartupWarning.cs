using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RollbackKit.Prometheus.Internal;

namespace RollbackKit.Prometheus.Alertmanager;

/// <summary>Logs a warning at start when the Alertmanager webhook is explicitly opened to anonymous requests.</summary>
internal sealed class AlertmanagerStartupWarning(
    IOptions<AlertmanagerSignalOptions> options,
    IEnumerable<IValidateOptions<AlertmanagerSignalOptions>> validators,
    ILogger<AlertmanagerStartupWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.AllowAnonymous && string.IsNullOrEmpty(o.BearerToken) && (string.IsNullOrEmpty(o.Username) || string.IsNullOrEmpty(o.Password)))
        {
            var path = validators.OfType<AlertmanagerSignalOptionsValidator>().FirstOrDefault()?.SectionPath ?? AlertmanagerSignalOptions.DefaultSectionPath;
            Log.AlertmanagerAnonymous(logger, path + ":AllowAnonymous");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
