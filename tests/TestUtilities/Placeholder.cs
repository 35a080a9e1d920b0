namespace Reference.TestUtilities;

internal static class Placeholder
{
}
