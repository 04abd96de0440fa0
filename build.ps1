# Pix tasks for PowerShell (Windows, or pwsh anywhere); build.sh is the same for POSIX shells.
# Usage: ./build.ps1 [build|test|bench|gate|run] [args...]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'bench', 'gate', 'run')]
    [string]$Task = 'build',
    [Parameter(Position = 1, ValueFromRemainingArguments = $true)]
    [string[]]$Rest = @()
)
$ErrorActionPreference = 'Stop'
Set-Location -Path $PSScriptRoot

function Invoke-Dotnet([string[]]$Arguments) {
    [Console]::WriteLine("> dotnet " + ($Arguments -join ' '))
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet exited with code $LASTEXITCODE" }
}

switch ($Task) {
    'build' { Invoke-Dotnet (@('build', 'Pix.sln', '-c', 'Release') + $Rest) }
    'test'  { Invoke-Dotnet (@('test', 'Pix.sln', '-c', 'Release', '--logger', 'console;verbosity=normal') + $Rest) }
    'bench' { Invoke-Dotnet (@('run', '-c', 'Release', '--project', 'Pix.Bench', '--', 'bench') + $Rest) }
    'gate'  { Invoke-Dotnet (@('run', '-c', 'Release', '--project', 'Pix.Bench', '--', 'gate') + $Rest) }
    'run'   { Invoke-Dotnet (@('run', '-c', 'Release', '--project', 'Pix.Server', '--') + $Rest) }
}
