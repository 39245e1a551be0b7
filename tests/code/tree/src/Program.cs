namespace Acme;

public static class Program
{
    // var model = "deepseek/deepseek-r1-0528";
    public static string Title = "Acme Research";
}
