using k8s.Models;
using RollbackKit.Kubernetes.Emulator;
using RollbackKit.Kubernetes.Internal;

namespace RollbackKit.Kubernetes.Tests.Internal;

public sealed class SelectorsTests
{
    [Fact]
    public void ToSelectorString_MatchLabelsAndExpressions_SortedByKeyLikeKubectl()
    {
        var selector = new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web", ["track"] = "stable" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "NotIn", Values = ["db", "cache"] },
                new V1LabelSelectorRequirement { Key = "env", OperatorProperty = "In", Values = ["prod"] },
                new V1LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" },
                new V1LabelSelectorRequirement { Key = "owner", OperatorProperty = "Exists" },
            ],
        };
        var text = Selectors.ToSelectorString(selector);
        Assert.Equal("app=web,!canary,env in (prod),owner,tier notin (cache,db),track=stable", text);

        // The emulator's parser (the server side) agrees on what the string selects.
        var parsed = LabelSelector.Parse(text);
        Assert.True(parsed.Matches(new Dictionary<string, string> { ["app"] = "web", ["track"] = "stable", ["env"] = "prod", ["owner"] = "x", ["tier"] = "web" }));
        Assert.False(parsed.Matches(new Dictionary<string, string> { ["app"] = "web", ["track"] = "stable", ["env"] = "prod", ["owner"] = "x", ["tier"] = "db" }));
        Assert.False(parsed.Matches(new Dictionary<string, string> { ["app"] = "web", ["track"] = "stable", ["env"] = "prod", ["owner"] = "x", ["canary"] = "1" }));
    }

    [Fact]
    public void ToSelectorString_UnknownOperator_Throws() =>
        Assert.Throws<InvalidOperationException>(() => Selectors.ToSelectorString(new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "a", OperatorProperty = "Gt" }],
        }));

    [Fact]
    public void FieldEquals_ValueWithSeparator_Throws() =>
        Assert.Throws<ArgumentException>(() => Selectors.FieldEquals("involvedObject.name", "a,b=c"));
}
