namespace RollbackKit.Kubernetes.Emulator;

internal static class Placeholder
{
}
