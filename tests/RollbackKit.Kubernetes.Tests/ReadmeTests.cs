using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RollbackKit.Kubernetes.Tests;

/// <summary>The package README's playbook configuration binds and validates as written.</summary>
public sealed class ReadmeTests
{
    private static string ReadmeJson()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RollbackKit.sln")))
        {
            dir = dir.Parent;
        }

        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "src", "RollbackKit.Kubernetes", "README.md"));
        var start = readme.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static ServiceProvider Build(string json)
    {
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        // The README's host runs where a kubeconfig exists; this machine has none, so name a (loopback) server instead.
        services.AddRollbackKit(config.GetSection("RollbackKit")).AddKubernetes(static o => o.Server ??= new Uri("http://127.0.0.1:1"));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task ReadmePlaybook_BindsAndValidates()
    {
        await using var sp = Build(ReadmeJson());
        var options = sp.GetRequiredService<IOptions<RollbackKitOptions>>().Value;
        Assert.Equal(["kubernetes.traffic", "kubernetes.undo", "kubernetes.wait", "kubernetes.scale", "kubernetes.evidence"], options.Playbook.Steps.Select(s => s.Type));
        Assert.Equal(TimeSpan.FromMinutes(1), options.Playbook.Steps[1].Timeout);
        Assert.True(options.Playbook.Steps[3].ContinueOnFailure);
        Assert.Equal("0", options.Playbook.Steps[3].Settings["replicas"]);
        Assert.Equal("shop", sp.GetRequiredService<IOptions<KubernetesOptions>>().Value.DefaultNamespace);
    }

    [Fact]
    public async Task ReadmePlaybook_WithBrokenSetting_FailsNamingTheKeyPath()
    {
        await using var sp = Build(ReadmeJson().Replace("\"replicas\": \"0\"", "\"replicas\": \"none\"", StringComparison.Ordinal));
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<RollbackKitOptions>>().Value);
        Assert.Contains("Settings:replicas", ex.Message);
        Assert.Contains("Steps:3", ex.Message);
    }
}
