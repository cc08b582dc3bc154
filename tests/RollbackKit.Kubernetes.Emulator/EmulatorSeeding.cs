using System.Text.Json.Nodes;

namespace RollbackKit.Kubernetes.Emulator;

/// <summary>Helpers that build typical objects in the emulator.</summary>
public static class EmulatorSeeding
{
    /// <summary>
    /// Creates a Deployment and rolls it through <paramref name="images"/> in order, so that it has one ReplicaSet per
    /// distinct image (revisions 1..n) and runs the last image. Each revision carries a <c>kubernetes.io/change-cause</c>.
    /// </summary>
    /// <returns>The deployment after the last rollout.</returns>
    public static JsonObject SeedDeployment(this KubernetesApiEmulator emulator, string ns, string name, int replicas, params string[] images)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentOutOfRangeException.ThrowIfZero(images.Length);
        var deployments = emulator.Resource("apps/v1", "deployments");
        emulator.Store.Create(deployments, ns, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject { ["app"] = name },
                ["annotations"] = new JsonObject { ["kubernetes.io/change-cause"] = $"deploy {images[0]}" },
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                ["template"] = Template(name, images[0]),
            },
        });
        foreach (var image in images.Skip(1))
        {
            SetImage(emulator, ns, name, image);
        }

        return emulator.Store.Get(deployments, ns, name)!;
    }

    /// <summary>Changes the deployment's image (and change-cause), as <c>kubectl set image</c> would.</summary>
    public static JsonObject SetImage(this KubernetesApiEmulator emulator, string ns, string name, string image)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var deployments = emulator.Resource("apps/v1", "deployments");
        return emulator.Store.Mutate(deployments, ns, name, d =>
        {
            d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = image;
            d["metadata"]!["annotations"]!["kubernetes.io/change-cause"] = $"deploy {image}";
            return d;
        });
    }

    /// <summary>A pod template with one container <c>app</c> running <paramref name="image"/>, labelled <c>app=name</c>.</summary>
    public static JsonObject Template(string name, string image) => new()
    {
        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "app",
                ["image"] = image,
                ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080, ["protocol"] = "TCP" }),
                ["resources"] = new JsonObject(),
            }),
        },
    };
}
